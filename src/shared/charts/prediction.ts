/** The figures of one prediction, for the app and exports: accuracy vs bits, and paired differences. */
import { METHODS, type PredictMethod } from '../quant/methods';
import type { MethodResult, PredictionReport } from '../rca/report';
import type { ChartSeries, ChartSpec } from './svg';

/** The settings that made a prediction, in a line or two, for figure captions and CSV headers. */
export function predictionCaption(report: PredictionReport): string[] {
  const s = report.settings;
  const stopped =
    report.chips.reachedTarget === false
      ? report.chips.limitedBy === 'images'
        ? ', stopped: the test set limits the interval, more chips would not narrow it'
        : `, stopped: chip budget of ${report.settings.maxChips} reached`
      : '';
  const chips =
    report.chips.mode === 'until-ci'
      ? `${report.chips.count} chips (until ±${report.chips.target} pp${stopped})`
      : `${report.chips.count} chip${report.chips.count === 1 ? '' : 's'}`;
  return [
    `${report.model.name} on ${report.dataset.evaluated} ${report.dataset.name} images · ${report.device.profile}, table '${report.device.table}'${report.device.programming ? ` (σ ${report.device.programming})` : ''}, ${report.device.levels} levels`,
    `${s.scheme}, scale ${s.scale}, tiles ${s.tile.rows}×${s.tile.cols}, ADC ${s.adcBits ?? 'ideal'}, DAC ${s.dacBits ?? 'ideal'}, read noise ${s.readNoise}, σ × ${s.sigmaScale}, seed ${s.seed} · ${chips} · mean ± 95 % CI · ${report.createdAt.slice(0, 16).replace('T', ' ')}`,
  ];
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
