/** The figures of one prediction, for the app and exports: accuracy vs bits, and paired differences. */
import { METHODS, type PredictMethod } from '../quant/methods';
import type { MethodResult, PredictionReport } from '../rca/report';
import type { ChartSeries, ChartSpec } from './svg';

/** The settings that made a prediction, in a line or two, for figure captions and CSV headers. */
export function predictionCaption(report: PredictionReport): string[] {
  const { run, mapping, device, array, read, adc, dac } = report.settings;
  const stopped =
    report.chips.reachedTarget === false
      ? report.chips.limitedBy === 'images'
        ? ', stopped: the test set limits the interval, more chips would not narrow it'
        : `, stopped: chip budget of ${run.maxChips} reached`
      : '';
  const chips =
    report.chips.mode === 'until-ci'
      ? `${report.chips.count} chips (until ±${report.chips.target} pp${stopped})`
      : `${report.chips.count} chip${report.chips.count === 1 ? '' : 's'}`;
  return [
    `${report.model.name} on ${report.dataset.evaluated} ${report.dataset.name} images · ${report.device.profile}, table '${report.device.table}'${report.device.programming ? ` (σ ${report.device.programming})` : ''}, ${report.device.levels} levels`,
    `${mapping.scheme}, scale ${mapping.scale}, tiles ${array.tile.rows}×${array.tile.cols}, ADC ${adc.bits ?? 'ideal'}, DAC ${dac.bits ?? 'ideal'}, read noise ${read.noise}, σ × ${device.sigmaScale}, seed ${run.seed} · ${chips} · mean ± 95 % CI · ${report.createdAt.slice(0, 16).replace('T', ' ')}`,
    ...(report.device.spread ? [spreadNote(report.device.spread, device.draw)] : []),
    ...(device.after > 0
      ? [
          `${device.after} s after programming${device.driftNu !== undefined ? `, ν = ${device.driftNu} ± ${device.driftNuSigma} for every level (given)` : ", the profile's measured drift law"}${read.driftCompensation ? ', global drift compensation' : ''}`,
        ]
      : []),
  ];
}

/** Which spread dominates a many-cell table, in words. */
export function spreadNote(
  spread: NonNullable<PredictionReport['device']['spread']>,
  deviceDraw: PredictionReport['settings']['device']['draw'] = 'gaussian',
): string {
  const how =
    deviceDraw === 'measured-cells'
      ? `each crossbar cell is one of the ${spread.cells} measured cells at random (its own levels), C2C σ on top`
      : `each cell's σ holds ${spread.sigma === 'c2c+d2d' ? 'both, √(C2C² + D2D²): every crossbar cell is another device' : 'the cycle-to-cycle spread only: one device, programmed again and again'}`;
  return `${spread.cells} cells: ${spread.dominates} spread dominates (RMS σ_d2d/σ_c2c ${spread.d2dOverC2c.toFixed(2)}); ${how}`;
}

/** What the baseline is, on every accuracy chart. */
export const BASELINE_NOTE =
  'linear: weights rounded on an evenly spaced grid, then written to the measured levels (the baseline); MES: each weight takes the nearest measured level';

const bitsOf = (results: readonly MethodResult[]) =>
  [...new Set(results.map((r) => r.bits).filter((b): b is number => b !== null))].sort((a, b) => a - b);
const methodsOf = (results: readonly MethodResult[]) =>
  (Object.keys(METHODS) as PredictMethod[]).filter((m) => results.some((r) => r.method === m));

export function accuracyChart(
  results: readonly MethodResult[],
  title: string,
  caption: string[] = [],
  defineBaseline = true,
): ChartSpec {
  const bits = bitsOf(results);
  const float = results.find((r) => r.method === 'float');
  const series: ChartSeries[] = methodsOf(results)
    .filter((m) => m !== 'float')
    .map((m) => ({
      label: METHODS[m].label,
      color: METHODS[m].color,
      marker: METHODS[m].marker,
      ...(METHODS[m].dash ? { dash: METHODS[m].dash } : {}),
      points: results
        .filter((r) => r.method === m && r.bits !== null)
        .map((r) => ({
          x: r.bits!,
          y: 100 * r.mean,
          lo: 100 * (r.mean - r.ci95),
          hi: 100 * (r.mean + r.ci95),
        })),
    }));
  if (float)
    series.unshift({
      label: `float (${(100 * float.mean).toFixed(1)} %)`,
      color: METHODS.float.color,
      dash: METHODS.float.dash ?? '5 4',
      across: true,
      points: [{ x: bits[0] ?? 1, y: 100 * float.mean }],
    });
  return {
    title,
    caption: defineBaseline ? [...caption, BASELINE_NOTE] : caption,
    xLabel: 'bits per cell (2^b levels)',
    yLabel: 'top-1 accuracy (%)',
    xTicks: bits.length ? bits : [1],
    yBounds: [0, 100],
    panels: [{ title: '', series }],
    panelWidth: 520,
    panelHeight: 280,
  };
}

/** Paired differences to linear, with CIs; open markers are not significant. */
export function differenceChart(
  results: readonly MethodResult[],
  title: string,
  caption: string[] = [],
): ChartSpec | undefined {
  const paired = results.filter((r) => r.vsLinear);
  if (!paired.length) return undefined;
  const bits = bitsOf(paired);
  const series: ChartSeries[] = methodsOf(paired).map((m) => ({
    label: METHODS[m].label,
    color: METHODS[m].color,
    marker: METHODS[m].marker,
    ...(METHODS[m].dash ? { dash: METHODS[m].dash } : {}),
    points: paired
      .filter((r) => r.method === m && r.bits !== null)
      .map((r) => ({
        x: r.bits!,
        y: 100 * r.vsLinear!.difference,
        lo: 100 * (r.vsLinear!.difference - r.vsLinear!.ci95),
        hi: 100 * (r.vsLinear!.difference + r.vsLinear!.ci95),
        hollow: !r.vsLinear!.significant,
      })),
  }));
  return {
    title,
    caption: [...caption, 'Open markers: the difference is not significant at 95 %.'],
    xLabel: 'bits per cell (2^b levels)',
    yLabel: 'accuracy − linear (pp)',
    xTicks: bits,
    yBounds: [-100, 100],
    yReference: 0,
    panels: [{ title: '', series }],
    panelWidth: 520,
    panelHeight: 220,
  };
}

/** One point of an accuracy-against-time series: a prediction at `after` seconds. */
export interface TimelinePoint {
  after: number;
  compensated: boolean;
  results: readonly MethodResult[];
}

/** The times a timeline predicts at; "fresh" is t₀ = 1 s, before any drift. */
export const TIMELINE: ReadonlyArray<{ after: number; label: string }> = [
  { after: 1, label: 'fresh' },
  { after: 60, label: '1 min' },
  { after: 3600, label: '1 h' },
  { after: 86_400, label: '1 d' },
  { after: 2_629_800, label: '1 mo' },
  { after: 31_557_600, label: '1 y' },
  { after: 315_576_000, label: '10 y' },
];

/**
 * Accuracy against time on a log axis, one panel per bit width: each method without drift
 * compensation (solid) and with it (dashed), the float network as the reference line.
 */
export function accuracyTimeChart(points: readonly TimelinePoint[], caption: string[] = []): ChartSpec {
  const all = points.flatMap((p) => p.results);
  const bits = bitsOf(all);
  const methods = methodsOf(all).filter((m) => m !== 'float');
  const x = (after: number) => Math.log10(Math.max(1, after));
  const float = points.find((p) => !p.compensated)?.results.find((r) => r.method === 'float');
  const panels = bits.map((b) => ({
    title: `${b}-bit (${2 ** b} levels)`,
    series: [
      ...(float
        ? [
            {
              label: `float (${(100 * float.mean).toFixed(1)} %)`,
              color: METHODS.float.color,
              dash: METHODS.float.dash ?? '5 4',
              across: true,
              points: [{ x: 0, y: 100 * float.mean }],
            },
          ]
        : []),
      // The ideal-linear reference is a perfect device: it does not drift, so one line.
      ...methods.flatMap((m) =>
        (m === 'ideal-linear' ? [false] : [false, true]).map((compensated) => ({
          label: `${METHODS[m].label}${compensated ? ', compensated' : ''}`,
          color: METHODS[m].color,
          marker: METHODS[m].marker,
          ...(compensated ? { dash: '6 3' } : {}),
          points: points
            // The fresh chip is the start of both lines: compensation has nothing to undo yet.
            .filter((p) => p.compensated === compensated || p.after <= 1)
            .flatMap((p) => p.results.filter((r) => r.method === m && r.bits === b).map((r) => ({ p, r })))
            .sort((a, b2) => a.p.after - b2.p.after)
            .map(({ p, r }) => ({
              x: x(p.after),
              y: 100 * r.mean,
              lo: 100 * (r.mean - r.ci95),
              hi: 100 * (r.mean + r.ci95),
            })),
        })),
      ),
    ],
  }));
  const labels = new Map(TIMELINE.map((t) => [x(t.after), t.label]));
  const ticks = [...new Set(points.map((p) => x(p.after)))].sort((a, b) => a - b);
  return {
    title: 'Accuracy against time after programming',
    caption: [
      ...caption,
      'each cell drifts by its level’s power law G(t) = G(t₀)·(t/t₀)^−ν, its own ν drawn from the measured spread; compensated: one output scale per layer from a calibration read (global drift compensation)',
    ],
    xLabel: 'time since programming (log scale)',
    yLabel: 'top-1 accuracy (%)',
    xTicks: ticks.length ? ticks : [0],
    xFormat: (v) => labels.get(v) ?? `${Number((10 ** v).toPrecision(2))} s`,
    yBounds: [0, 100],
    panels,
    columns: Math.min(2, Math.max(1, panels.length)),
    panelWidth: 520,
    panelHeight: 280,
  };
}
