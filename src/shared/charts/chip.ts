/**
 * The chip's figures as exports that explain themselves: the cumulative distribution of one
 * figure over the cells, the die map coloured by it with its colour scale, and a CSV of every
 * cell's figures. Each carries the sample, the cells counted, the outlier rule and when it was
 * made. Pure strings, shared by the Statistics page and `reram-bench stats`.
 */
import { sampleLabel } from '../cell-guard';
import {
  CHIP_FIGURE_IDS,
  CHIP_FIGURES,
  OUTLIER_ROBUST_Z,
  type ChipFigure,
  type ChipStatistics,
} from '../chip-stats';
import { formatNumber, formatSI } from '../units';
import { escapeXml, niceTicks, type ChartSpec } from './svg';

const formatValue = (figure: ChipFigure, value: number) =>
  CHIP_FIGURES[figure].unit ? formatSI(value, CHIP_FIGURES[figure].unit) : formatNumber(value, 3);

/** Lines under a chip figure: what was counted, and how outliers are called. */
export function chipCaption(stats: ChipStatistics, figure: ChipFigure, madeAt: string): string[] {
  const d = stats.figures[figure];
  const lines = [
    `Sample ${sampleLabel(stats.sample)}; ${d?.n ?? 0} of ${stats.cellCount} cells have a ${CHIP_FIGURES[figure].short}.`,
  ];
  if (d)
    lines.push(
      `Median ${formatValue(figure, d.median)}, quartiles ${formatValue(figure, d.q1)}–${formatValue(figure, d.q3)}, range ${formatValue(figure, d.min)}–${formatValue(figure, d.max)}.`,
      d.outliers.length
        ? `Outliers (robust z = 0.6745·(x − median)/MAD beyond ±${OUTLIER_ROBUST_Z}): ${d.outliers.map((o) => `cell ${o.cell} (${formatValue(figure, o.value)}, z ${o.robustZ.toFixed(1)})`).join(', ')}.`
        : `No outliers (robust z = 0.6745·(x − median)/MAD beyond ±${OUTLIER_ROBUST_Z}).`,
    );
  lines.push(`ReRAM Bench, ${madeAt}.`);
  return lines;
}

/** Log ticks (1, 2, 5 × 10ⁿ where few decades) from the last at or below lo to the first at or above hi. */
function logTicks(lo: number, hi: number): number[] {
  const first = Math.floor(lo) - 1;
  const last = Math.ceil(hi) + 1;
  const mantissas = hi - lo <= 2 ? [1, 2, 5] : [1];
  const candidates: number[] = [];
  for (let e = first; e <= last; e++) for (const m of mantissas) candidates.push(e + Math.log10(m));
  const start = candidates.findLastIndex((t) => t <= lo + 1e-9);
  const end = candidates.findIndex((t) => t >= hi - 1e-9);
  return candidates.slice(Math.max(0, start), end < 0 ? undefined : end + 1);
}

/** Linear 1-2-5 ticks extended by a step at either end until they enclose [lo, hi] (the chart's x range is its ticks'). */
function coveringTicks(lo: number, hi: number): number[] {
  const ticks = niceTicks(lo, hi);
  if (ticks.length < 2) return [lo, hi];
  const step = ticks[1]! - ticks[0]!;
  while (ticks[0]! > lo + step * 1e-9) ticks.unshift(Number((ticks[0]! - step).toPrecision(12)));
  while (ticks[ticks.length - 1]! < hi - step * 1e-9)
    ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** The empirical CDF of one figure over the cells (a log axis for figures spread over decades). */
export function cdfChart(stats: ChipStatistics, figure: ChipFigure, madeAt: string): ChartSpec {
  const meta = CHIP_FIGURES[figure];
  const d = stats.figures[figure];
  // A log axis only where the values span a decade: within one, 1-2-5 ticks would be too sparse.
  const log = meta.log && (d?.min ?? 0) > 0 && d!.max / d!.min >= 10;
  const toX = (v: number) => (log ? Math.log10(v) : v);
  const fromX = (x: number) => (log ? 10 ** x : x);
  const xs = (d?.cdf ?? []).map((p) => toX(p.value));
  const lo = xs.length ? Math.min(...xs) : 0;
  const hi = xs.length ? Math.max(...xs) : 1;
  const span = hi - lo || Math.abs(hi) * 0.1 || 1;
  const xTicks = log
    ? logTicks(lo - span * 0.05, hi + span * 0.05)
    : coveringTicks(lo - span * 0.05, hi + span * 0.05);
  const outlierCells = new Set(d?.outliers.map((o) => o.cell));
  return {
    title: `${meta.short}: cumulative distribution over the cells`,
    caption: chipCaption(stats, figure, madeAt),
    xLabel: `${meta.short}${meta.unit ? ` (${meta.unit})` : ''}${log ? ', log scale' : ''}`,
    yLabel: 'Cumulative fraction of cells',
    xTicks,
    xFormat: (x) => (meta.unit ? formatSI(fromX(x), meta.unit, 3) : formatNumber(fromX(x), 3)),
    yFormat: (y) => y.toFixed(2),
    yBounds: [0, 1],
    panels: [
      {
        title: `${d?.n ?? 0} cells`,
        series: [
          {
            label: 'cells',
            color: '#1f6feb',
            points: (d?.cdf ?? [])
              .filter((p) => !outlierCells.has(p.cell))
              .map((p) => ({ x: toX(p.value), y: p.fraction })),
          },
          ...(outlierCells.size
            ? [
                {
                  label: `outliers (|robust z| > ${OUTLIER_ROBUST_Z})`,
                  color: '#b42318',
                  marker: 'cross' as const,
                  points: (d?.cdf ?? [])
                    .filter((p) => outlierCells.has(p.cell))
                    .map((p) => ({ x: toX(p.value), y: p.fraction })),
                },
              ]
            : []),
        ],
      },
    ],
    panelWidth: 560,
    panelHeight: 300,
  };
}

/** A sequential scale (light to dark blue-violet) that reads in print and on either theme. */
export function scaleColor(t: number): string {
  const x = Math.min(1, Math.max(0, t));
  return `hsl(${Math.round(200 + 60 * x)}, ${Math.round(70 + 10 * x)}%, ${Math.round(82 - 52 * x)}%)`;
}

/** Where a value sits on the figure's scale, 0…1 (log figures on a log scale). */
export function scalePosition(figure: ChipFigure, min: number, max: number, value: number): number {
  const log = CHIP_FIGURES[figure].log && min > 0;
  const f = (v: number) => (log ? Math.log10(v) : v);
  return max > min ? (f(value) - f(min)) / (f(max) - f(min)) : 0.5;
}

/** The die map as SVG: each cell coloured by the figure, outliers ringed, a colour scale, no data hatched. */
export function dieMapSvg(
  stats: ChipStatistics,
  figure: ChipFigure,
  options: { madeAt: string; theme?: 'light' | 'dark'; columns?: number },
): string {
  const dark = options.theme === 'dark';
  const ink = dark ? '#e6e6e6' : '#1a1a1a';
  const faint = dark ? '#3a3f47' : '#d0d0d0';
  const background = dark ? '#1e2227' : '#ffffff';
  const meta = CHIP_FIGURES[figure];
  const d = stats.figures[figure];
  const columns = options.columns ?? Math.ceil(Math.sqrt(stats.cellCount));
  const rows = Math.ceil(stats.cellCount / columns);
  const size = Math.max(22, Math.min(48, Math.floor(420 / columns)));
  const gridLeft = 24;
  const gridTop = 48;
  const gridWidth = columns * size;
  const scaleLeft = gridLeft + gridWidth + 28;
  const width = Math.max(scaleLeft + 150, 560);
  const caption = chipCaption(stats, figure, options.madeAt);
  const barHeight = Math.max(120, Math.min(rows * size, 200));
  // The grid and the scale with its two keys below it, whichever is taller.
  const gridHeight = Math.max(rows * size, barHeight + 48);
  const height = gridTop + gridHeight + 24 + caption.length * 16 + 8;
  const byCell = new Map(stats.cells.map((c) => [c.cell, c.values[figure]]));
  const outliers = new Set(d?.outliers.map((o) => o.cell));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="${background}"/>`,
    `<defs><pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="${faint}" stroke-width="2"/></pattern></defs>`,
    `<text x="${gridLeft}" y="26" font-size="16" font-weight="bold" fill="${ink}">${escapeXml(`Die map: ${meta.label}`)}</text>`,
  );
  for (let cell = 0; cell < stats.cellCount; cell++) {
    const x = gridLeft + (cell % columns) * size;
    const y = gridTop + Math.floor(cell / columns) * size;
    const value = byCell.get(cell);
    const has = value !== undefined && d !== null;
    const fill = has ? scaleColor(scalePosition(figure, d.min, d.max, value)) : 'url(#nodata)';
    const text = has ? `cell ${cell}: ${formatValue(figure, value)}` : `cell ${cell}: no ${meta.short}`;
    const t = has ? scalePosition(figure, d.min, d.max, value) : 0;
    parts.push(
      `<g data-cell="${cell}"><title>${escapeXml(text)}${outliers.has(cell) ? ' (outlier)' : ''}</title>`,
      `<rect x="${x + 1}" y="${y + 1}" width="${size - 2}" height="${size - 2}" rx="3" fill="${fill}" stroke="${outliers.has(cell) ? '#b42318' : faint}" stroke-width="${outliers.has(cell) ? 3 : 1}"/>`,
      `<text x="${x + size / 2}" y="${y + size / 2 + 4}" font-size="${Math.min(12, size / 3)}" text-anchor="middle" fill="${has ? (t > 0.55 ? '#ffffff' : '#1a1a1a') : ink}">${cell}</text></g>`,
    );
  }
  // The colour scale: a gradient bar with the figure's range (on the figure's own scale).
  const barTop = gridTop;
  parts.push(
    `<text x="${scaleLeft}" y="${barTop - 8}" font-size="12" fill="${ink}">${escapeXml(`${meta.short}${meta.unit ? ` (${meta.unit})` : ''}${meta.log ? ', log' : ''}`)}</text>`,
  );
  if (d) {
    const steps = 24;
    for (let k = 0; k < steps; k++) {
      const t = 1 - k / (steps - 1);
      parts.push(
        `<rect x="${scaleLeft}" y="${(barTop + (k * barHeight) / steps).toFixed(1)}" width="18" height="${(barHeight / steps + 0.5).toFixed(1)}" fill="${scaleColor(t)}"/>`,
      );
    }
    const labels: Array<[number, string]> = [
      [0, `${formatValue(figure, d.max)} (max)`],
      [0.5, `${formatValue(figure, d.median)} (median)`],
      [1, `${formatValue(figure, d.min)} (min)`],
    ];
    const medianT = scalePosition(figure, d.min, d.max, d.median);
    labels[1]![0] = 1 - medianT;
    for (const [t, label] of labels)
      parts.push(
        `<line x1="${scaleLeft + 18}" x2="${scaleLeft + 23}" y1="${(barTop + t * barHeight).toFixed(1)}" y2="${(barTop + t * barHeight).toFixed(1)}" stroke="${ink}"/>`,
        `<text x="${scaleLeft + 27}" y="${(barTop + t * barHeight + 4).toFixed(1)}" font-size="11" fill="${ink}">${escapeXml(label)}</text>`,
      );
  }
  parts.push(
    `<rect x="${scaleLeft}" y="${barTop + barHeight + 14}" width="18" height="12" fill="url(#nodata)" stroke="${faint}"/>`,
    `<text x="${scaleLeft + 27}" y="${barTop + barHeight + 24}" font-size="11" fill="${ink}">no value</text>`,
    `<rect x="${scaleLeft}" y="${barTop + barHeight + 32}" width="18" height="12" fill="none" stroke="#b42318" stroke-width="3"/>`,
    `<text x="${scaleLeft + 27}" y="${barTop + barHeight + 42}" font-size="11" fill="${ink}">outlier</text>`,
  );
  caption.forEach((line, k) =>
    parts.push(
      `<text x="${gridLeft}" y="${gridTop + gridHeight + 28 + k * 16}" font-size="11" fill="${ink}">${escapeXml(line)}</text>`,
    ),
  );
  parts.push('</svg>');
  return parts.join('\n');
}

const csvField = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** Every cell's figures, one row per cell of the die, with the settings as '#' lines first. */
export function chipCsv(stats: ChipStatistics, madeAt: string): string {
  const lines = [
    `# ReRAM Bench chip statistics, ${madeAt}`,
    `# sample: ${sampleLabel(stats.sample)}; cells on the die: ${stats.cellCount}`,
    `# figures: the die map's latest fit per cell (HRS = Gmin, LRS = Gmax at the read voltage), forming, and the latest SET/RESET sweeps; empty = not measured`,
    `# outlier: |robust z| > ${OUTLIER_ROBUST_Z}, z = 0.6745·(x − median)/MAD, per figure`,
    [
      'cell',
      ...CHIP_FIGURE_IDS.map((f) => (CHIP_FIGURES[f].unit ? `${f}_${CHIP_FIGURES[f].unit}` : f)),
      'outlier_in',
    ].join(','),
  ];
  const byCell = new Map(stats.cells.map((c) => [c.cell, c.values]));
  for (let cell = 0; cell < stats.cellCount; cell++) {
    const values = byCell.get(cell) ?? {};
    const outlierIn = CHIP_FIGURE_IDS.filter((f) => stats.figures[f]?.outliers.some((o) => o.cell === cell));
    lines.push(
      [
        String(cell),
        ...CHIP_FIGURE_IDS.map((f) => (values[f] === undefined ? '' : String(values[f]))),
        csvField(outlierIn.join(' ')),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
