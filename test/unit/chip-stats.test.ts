/** Distributions across cells: type-7 quantiles (numpy's default) and robust outliers, by hand. */
import { describe, expect, it } from 'vitest';
import { distributionOf, quantile } from '../../src/shared/chip-stats';

const cells = (values: number[]) => values.map((value, cell) => ({ cell, value }));

describe('distributionOf', () => {
  it('quartiles by linear interpolation: numpy.percentile([1, 2, 3, 4], [25, 50, 75]) = 1.75, 2.5, 3.25', () => {
    const d = distributionOf(cells([4, 1, 3, 2]))!;
    expect([d.q1, d.median, d.q3]).toEqual([1.75, 2.5, 3.25]);
    expect([d.min, d.max, d.n]).toEqual([1, 4, 4]);
    expect(quantile([5], 0.25)).toBe(5);
    // The CDF: cells in value order, i/n.
    expect(d.cdf.map((p) => [p.cell, p.fraction])).toEqual([
      [1, 0.25],
      [3, 0.5],
      [2, 0.75],
      [0, 1],
    ]);
  });

  it('names the cell far from the rest by its robust z-score, and no other', () => {
    // median 11, |x − 11| = 1,0,1,0,1,1,0,39 → MAD 1; cell 7: z = 0.6745 × 39 = 26.3.
    const d = distributionOf(cells([10, 11, 12, 11, 10, 12, 11, 50]))!;
    expect(d.median).toBe(11);
    expect(d.mad).toBe(1);
    expect(d.outliers).toEqual([{ cell: 7, value: 50, robustZ: expect.closeTo(26.3055, 3) as number }]);
  });

  it('identical cells have no outliers (MAD 0), and no cells give no distribution', () => {
    expect(distributionOf(cells([2, 2, 2]))!.outliers).toEqual([]);
    expect(distributionOf([])).toBeNull();
    expect(distributionOf(cells([Number.NaN]))).toBeNull();
  });
});
