/**
 * Statistics across the cells of a chip: for each figure (HRS, LRS, V_form, V_SET, V_RESET, NL,
 * on/off ratio), its distribution over the cells that have it and the cells that stand out.
 *
 * Quartiles are the linear interpolation between order statistics (type 7, numpy's and R's
 * default). Outliers are named by the robust z-score of Iglewicz and Hoaglin,
 * z = 0.6745 (x − median) / MAD, beyond 3.5: a mean and σ would be dragged by the very cells
 * they should flag, and a die has few cells.
 */

import type { SampleKey } from './cell-guard';

/** The figures a chip is summarised by; `log`: spread over decades, shown on a log axis. */
export const CHIP_FIGURES = {
  hrs: { label: 'HRS conductance (Gmin at the read voltage)', short: 'HRS', unit: 'S', log: true },
  lrs: { label: 'LRS conductance (Gmax at the read voltage)', short: 'LRS', unit: 'S', log: true },
  onOff: { label: 'on/off ratio (Gmax/Gmin)', short: 'on/off', unit: '', log: true },
  nl: { label: 'LTP non-linearity (fitted NL)', short: 'NL', unit: '', log: false },
  vForm: { label: 'forming voltage', short: 'V_form', unit: 'V', log: false },
  vSet: { label: 'V_SET (latest SET sweep)', short: 'V_SET', unit: 'V', log: false },
  vReset: { label: 'V_RESET (latest RESET sweep)', short: 'V_RESET', unit: 'V', log: false },
  endurance: { label: 'endurance (cycles to failure, latest run)', short: 'endurance', unit: '', log: true },
  drift: {
    label: 'retention drift ν (median over levels, latest run)',
    short: 'drift ν',
    unit: '',
    log: false,
  },
} as const;
export type ChipFigure = keyof typeof CHIP_FIGURES;
export const CHIP_FIGURE_IDS = Object.keys(CHIP_FIGURES) as ChipFigure[];

export interface CellFigures {
  cell: number;
  values: Partial<Record<ChipFigure, number>>;
}

export interface ChipStatistics {
  sample: SampleKey;
  /** Cells on the die (the map's size), including those without figures. */
  cellCount: number;
  cells: CellFigures[];
  figures: Record<ChipFigure, Distribution | null>;
}

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

/** The median of values in any order (type 7, as the quartiles). */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
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
