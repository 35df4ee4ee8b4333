/**
 * Statistics across the cells of a chip: for each figure (HRS, LRS, V_form, V_SET, V_RESET, NL,
 * on/off ratio), its distribution over the cells that have it and the cells that stand out.
 *
 * Quartiles are the linear interpolation between order statistics (type 7, numpy's and R's
 * default). Outliers are named by the robust z-score of Iglewicz and Hoaglin,
 * z = 0.6745 (x − median) / MAD, beyond 3.5: a mean and σ would be dragged by the very cells
 * they should flag, and a die has few cells.
 */

export interface CellValue {
  cell: number;
  value: number;
}

export interface Distribution {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** Median absolute deviation from the median. */
  mad: number;
  /** The empirical CDF: each cell's value, sorted, with its cumulative fraction i/n. */
  cdf: Array<{ cell: number; value: number; fraction: number }>;
  outliers: Array<{ cell: number; value: number; robustZ: number }>;
}

export const OUTLIER_ROBUST_Z = 3.5;

/** Type-7 quantile of sorted values. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function distributionOf(values: readonly CellValue[]): Distribution | null {
  const finite = values.filter((v) => Number.isFinite(v.value));
  if (finite.length === 0) return null;
  const ordered = [...finite].sort((a, b) => a.value - b.value || a.cell - b.cell);
  const sorted = ordered.map((v) => v.value);
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  const mad = quantile(deviations, 0.5);
  const outliers =
    mad > 0
      ? ordered
          .map((v) => ({ ...v, robustZ: (0.6745 * (v.value - median)) / mad }))
          .filter((v) => Math.abs(v.robustZ) > OUTLIER_ROBUST_Z)
      : [];
  return {
    n: sorted.length,
    min: sorted[0]!,
    q1: quantile(sorted, 0.25),
    median,
    q3: quantile(sorted, 0.75),
    max: sorted[sorted.length - 1]!,
    mad,
    cdf: ordered.map((v, k) => ({ ...v, fraction: (k + 1) / ordered.length })),
    outliers,
  };
}
