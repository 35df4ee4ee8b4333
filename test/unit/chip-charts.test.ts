/**
 * The chip's exports: the CSV reads back to every cell's figures, the CDF has one point per cell
 * on a log axis that covers them, and the die map colours each cell by its place on the scale,
 * rings the outliers and hatches cells without a value. Statistics come from distributionOf.
 */
import { describe, expect, it } from 'vitest';
import { cdfChart, chipCsv, dieMapSvg, scalePosition } from '../../src/shared/charts/chip';
import { chartSvg } from '../../src/shared/charts/svg';
import {
  CHIP_FIGURE_IDS,
  distributionOf,
  type ChipFigure,
  type ChipStatistics,
} from '../../src/shared/chip-stats';
import { Rng } from '../../src/shared/random';

/** 16 cells; 12 with figures (lognormal LRS, cell 7 ten times the rest), 4 never measured. */
function chip(): ChipStatistics {
  const rng = new Rng(7);
  const cells = Array.from({ length: 12 }, (_, cell) => {
    const lrs = 50e-6 * Math.exp(0.05 * rng.normal()) * (cell === 7 ? 10 : 1);
    const hrs = 10e-6 * Math.exp(0.05 * rng.normal());
    return { cell, values: { lrs, hrs, onOff: lrs / hrs, vForm: 3 + 0.1 * rng.normal() } };
  });
  const figures = Object.fromEntries(
    CHIP_FIGURE_IDS.map((f) => [
      f,
      distributionOf(
        cells.flatMap((c) => {
          const value = (c.values as Partial<Record<ChipFigure, number>>)[f];
          return value === undefined ? [] : [{ cell: c.cell, value }];
        }),
      ),
    ]),
  ) as ChipStatistics['figures'];
  return { sample: { wafer: 'W7', die: 'D3' }, cellCount: 16, cells, figures };
}

describe('chip exports', () => {
  const stats = chip();
  const madeAt = '2026-12-05T00:00:00Z';

  it('the CSV has the settings, one row per cell of the die, and reads back to the values', () => {
    const csv = chipCsv(stats, madeAt);
    const lines = csv.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('#')).join('\n')).toMatch(/W7.*D3[\s\S]*robust z/);
    const rows = lines.filter((l) => !l.startsWith('#'));
    expect(rows[0]).toBe('cell,hrs_S,lrs_S,onOff,nl,vForm_V,vSet_V,vReset_V,endurance,drift,outlier_in');
    expect(rows).toHaveLength(17);
    for (const c of stats.cells) {
      const fields = rows[c.cell + 1]!.split(',');
      expect(Number(fields[2])).toBe(c.values.lrs);
      expect(Number(fields[5])).toBe(c.values.vForm);
    }
    expect(rows[8]).toMatch(/,.*lrs/); // cell 7 is an LRS outlier (and on/off)
    expect(rows[14]).toBe('13,,,,,,,,,,');
  });

  it('the CDF: one point per cell, the outlier apart, on a log axis whose ticks span the values', () => {
    const spec = cdfChart(stats, 'lrs', madeAt);
    const [cellsSeries, outliers] = spec.panels[0]!.series;
    const named = stats.figures.lrs!.outliers;
    expect(named.map((o) => o.cell)).toContain(7);
    expect(cellsSeries!.points).toHaveLength(12 - named.length);
    expect(outliers!.points).toHaveLength(named.length);
    // Cell 7, ten times the rest, is the top of the CDF.
    expect(Math.max(...outliers!.points.map((p) => p.y))).toBe(1);
    const xs = [...cellsSeries!.points, ...outliers!.points].map((p) => p.x);
    expect(Math.min(...spec.xTicks)).toBeLessThanOrEqual(Math.min(...xs));
    expect(Math.max(...spec.xTicks)).toBeGreaterThanOrEqual(Math.max(...xs));
    expect(spec.xLabel).toMatch(/log scale/);
    expect(spec.caption!.join(' ')).toMatch(/12 of 16 cells.*Outliers.*cell 7/);
    const svg = chartSvg(spec);
    expect(svg).toContain('LRS: cumulative distribution over the cells');
    // Forming voltage is linear, and its ticks enclose every cell too.
    const vForm = cdfChart(stats, 'vForm', madeAt);
    expect(vForm.xLabel).toBe('V_form (V)');
    const forms = vForm.panels[0]!.series.flatMap((s) => s.points.map((p) => p.x));
    expect(Math.min(...vForm.xTicks)).toBeLessThanOrEqual(Math.min(...forms));
    expect(Math.max(...vForm.xTicks)).toBeGreaterThanOrEqual(Math.max(...forms));
  });

  it('the die map: 16 cells, colour by place on the scale, the outlier ringed, unmeasured cells hatched', () => {
    const svg = dieMapSvg(stats, 'lrs', { madeAt });
    expect(svg.match(/data-cell="/g)).toHaveLength(16);
    const cell = (k: number) => new RegExp(`data-cell="${k}">[\\s\\S]*?</g>`).exec(svg)![0];
    expect(cell(7)).toMatch(/stroke="#b42318" stroke-width="3"/);
    expect(cell(7)).toMatch(/\(outlier\)/);
    expect(cell(13)).toMatch(/url\(#nodata\)/);
    const d = stats.figures.lrs!;
    expect(scalePosition('lrs', d.min, d.max, d.max)).toBe(1);
    expect(scalePosition('lrs', d.min, d.max, d.min)).toBe(0);
    expect(svg).toMatch(/\(max\)[\s\S]*\(median\)[\s\S]*\(min\)/);
  });
});
