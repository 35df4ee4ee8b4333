/**
 * The seed study's design in one command: bundled networks × presets × bits × methods × σ scale,
 * each point a paired prediction on common chips, run as a resumable sweep. Writes
 * summary.md (tables with CIs and significance), results.csv (one row per network, preset,
 * σ, method and bits) and accuracy-vs-bits plots per preset (SVG and PNG).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSvg, type ChartSeries } from '../../shared/charts/svg';
import { METHODS, type PredictMethod } from '../../shared/quant/methods';
import { DEVICE_PRESETS } from '../../shared/levels/presets';
import type { MethodResult } from '../../shared/rca/report';
import { svgToPng } from '../charts';
import { BUILTIN_MODELS } from '../nn/resources';
import { appVersion } from '../paths';
import { gridPoints, SweepSpec, specKey, type SweepResult, type SweepSpecInput } from './sweep';

export const STUDY_METHODS = [
  'float',
  'ideal-linear',
  'linear',
  'mes',
  'mes-sigma',
  'mes-pair',
  'mes-pair-sigma',
] as const satisfies readonly PredictMethod[];

/** The full study, and a quick one (one network, fewer images and chips) for a smoke run. */
export function studySpec(quick: boolean): SweepSpec {
  const common: SweepSpecInput = {
    name: quick ? 'study (quick)' : 'study',
    profiles: DEVICE_PRESETS.map((p) => p.name),
    table: 'open-loop',
    networks: [],
    methods: [...STUDY_METHODS],
    scheme: 'differential',
    seed: 1,
  };
  return SweepSpec.parse(
    quick
      ? {
          ...common,
          networks: [{ model: 'builtin:lenet5-fashion' }],
          bits: [2, 3, 4],
          sigmaScales: [0, 1],
          trials: 3,
          limit: 500,
        }
      : {
          ...common,
          networks: ['lenet5', 'lenet5-fashion', 'alexnet', 'vgg16'].map((k) => ({ model: `builtin:${k}` })),
          bits: [2, 3, 4, 5],
          sigmaScales: [0, 0.5, 1],
          untilCi: 0.5,
          minChips: 5,
          maxChips: 12,
        },
  );
}

const pct = (x: number) => (100 * x).toFixed(2);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${pct(Math.abs(x))}`;
const modelTitle = (spec: string) =>
  spec.startsWith('builtin:') ? (BUILTIN_MODELS[spec.slice(8)]?.title ?? spec) : spec;

interface Row {
  network: string;
  dataset: string;
  images: number;
  preset: string;
  table: string;
  sigmaKind: string;
  sigmaScale: number;
  method: PredictMethod;
  bits: number | null;
  chips: number;
  result: MethodResult;
}

export function studyRows(results: readonly SweepResult[]): Row[] {
  return results.flatMap((r) =>
    r.report.results.map((result) => ({
      network: modelTitle(r.point.model),
      dataset: r.report.dataset.name,
      images: r.report.dataset.evaluated,
      preset: r.point.profile,
      table: r.report.device.table,
      sigmaKind: r.report.device.programming ?? 'unspecified',
      sigmaScale: r.point.sigmaScale,
      method: result.method,
      bits: result.bits,
      chips: result.accuracies.length,
      result,
    })),
  );
}

export function studyCsv(rows: readonly Row[], spec: SweepSpec, command: string): string {
  const header = [
    `# ReRAM Bench study ${specKey(spec)} (${appVersion()}): ${command}`,
    `# settings: ${JSON.stringify({ ...spec, networks: spec.networks.map((n) => n.model) })}`,
    'network,dataset,images,preset,table,sigma_kind,sigma_scale,method,bits,chips,accuracy,ci95,diff_vs_linear,diff_ci95,diff_unit,significant',
  ];
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `${[
    ...header,
    ...rows.map((r) =>
      [
        quote(r.network),
        quote(r.dataset),
        r.images,
        quote(r.preset),
        quote(r.table),
        r.sigmaKind,
        r.sigmaScale,
        r.method,
        r.bits ?? '',
        r.chips,
        r.result.mean.toFixed(5),
        r.result.ci95.toFixed(5),
        r.result.vsLinear?.difference.toFixed(5) ?? '',
        r.result.vsLinear?.ci95.toFixed(5) ?? '',
        r.result.vsLinear?.unit ?? '',
        r.result.vsLinear ? (r.result.vsLinear.significant ? 'yes' : 'no') : '',
      ].join(','),
    ),
  ].join('\n')}\n`;
}

/** Where the σ-aware method stands against linear: the headline of the study. */
export function headline(rows: readonly Row[], method: PredictMethod = 'mes-sigma') {
  const compared = rows.filter((r) => r.method === method && r.result.vsLinear);
  const positive = compared.filter(
    (r) => r.result.vsLinear!.significant && r.result.vsLinear!.difference > 0,
  );
  const negative = compared.filter(
    (r) => r.result.vsLinear!.significant && r.result.vsLinear!.difference < 0,
  );
  return { compared, positive, negative };
}

function markdownTable(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export interface StudyMeta {
  command: string;
  /** Each point's own wall time, summed (a resumed study's whole cost, not just this run's). */
  pointsS?: number;
  /** Set when the report covers only the points done so far. */
  partial?: { done: number; total: number; missing: readonly string[] };
}

function partialNote(meta: StudyMeta): string[] {
  if (!meta.partial) return [];
  const { done, total, missing } = meta.partial;
  return [
    `> **Partial report: ${done} of ${total} points.** Not yet computed: ${missing.join('; ')}. Run \`${meta.command.replace(/ --report$/, '')}\` again to finish; it resumes where it stopped and computes nothing twice.`,
    '',
  ];
}

export function studySummary(rows: readonly Row[], spec: SweepSpec, meta: StudyMeta): string {
  const methods = spec.methods.filter((m) => rows.some((r) => r.method === m));
  const networks = [...new Set(rows.map((r) => r.network))];
  const out: string[] = [];
  out.push(
    `# ReRAM Bench study${spec.name.includes('quick') ? ' (quick)' : ''}`,
    '',
    `Made by \`${meta.command}\` with ReRAM Bench ${appVersion()} on ${new Date().toISOString().slice(0, 10)}${meta.pointsS !== undefined ? ` (${(meta.pointsS / 60).toFixed(1)} min of wall time over its points, summed across resumptions)` : ''}. Sweep ${specKey(spec)}.`,
    '',
    `Design: ${networks.length} network${networks.length === 1 ? '' : 's'} × ${spec.profiles.length} presets (${spec.profiles.join(', ')}; table: ${spec.table ?? 'first'}) × bits ${spec.bits.join(', ')} × methods ${methods.map((m) => METHODS[m].label).join(', ')} × σ scale ${spec.sigmaScales.join(', ')}; ${spec.scheme} pairs, ideal ADC/DAC, no read noise. ` +
      (spec.trials !== undefined
        ? `${spec.trials} chips per point`
        : `Chips added until every paired difference to linear is known to ±${spec.untilCi} pp (${spec.minChips}–${spec.maxChips} chips)`) +
      `${spec.limit ? `, ${spec.limit} test images` : ''}. Every method sees the same chips (common random numbers); at σ = 0 a chip is deterministic, so differences are paired over test images instead.`,
    '',
    ...partialNote(meta),
    'Accuracy is mean ± 95 % CI. "Δ vs linear" is the paired difference in percentage points with its 95 % CI; **bold** marks a significant difference. With this many comparisons, about 1 in 20 of the non-significant truths will show as significant by chance.',
    '',
  );
  const head = headline(rows);
  out.push('## Headline: MES-σ against linear', '');
  out.push(
    `MES-σ was compared with linear at ${head.compared.length} points. It is significantly better at ${head.positive.length}, and significantly worse at ${head.negative.length}${head.negative.length ? ':' : '.'}`,
    '',
  );
  if (head.negative.length)
    out.push(
      markdownTable(
        ['network', 'preset', 'σ ×', 'bits', 'Δ vs linear (pp)'],
        head.negative.map((r) => [
          r.network,
          r.preset,
          String(r.sigmaScale),
          String(r.bits),
          `${signed(r.result.vsLinear!.difference)} ± ${pct(r.result.vsLinear!.ci95)}`,
        ]),
      ),
      '',
    );
  const summaryTable: string[][] = [];
  for (const network of networks)
    for (const sigma of spec.sigmaScales) {
      const at = head.compared.filter((r) => r.network === network && r.sigmaScale === sigma);
      if (!at.length) continue;
      const diffs = at.map((r) => r.result.vsLinear!.difference);
      summaryTable.push([
        network,
        String(sigma),
        String(at.length),
        String(at.filter((r) => r.result.vsLinear!.significant && r.result.vsLinear!.difference > 0).length),
        String(at.filter((r) => r.result.vsLinear!.significant && r.result.vsLinear!.difference < 0).length),
        `${signed(Math.min(...diffs))} … ${signed(Math.max(...diffs))}`,
      ]);
    }
  out.push(
    markdownTable(
      ['network', 'σ ×', 'points', 'MES-σ significantly better', 'significantly worse', 'range of Δ (pp)'],
      summaryTable,
    ),
    '',
  );
  for (const network of networks) {
    const ofNetwork = rows.filter((r) => r.network === network);
    const first = ofNetwork[0]!;
    out.push(`## ${network}`, '', `${first.images} ${first.dataset} test images.`, '');
    const float = ofNetwork.find((r) => r.method === 'float');
    if (float) out.push(`Float accuracy: ${pct(float.result.mean)} %.`, '');
    for (const sigma of spec.sigmaScales) {
      const at = ofNetwork.filter((r) => r.sigmaScale === sigma && r.bits !== null);
      if (!at.length) continue;
      out.push(`### σ × ${sigma}`, '');
      const table: string[][] = [];
      for (const preset of spec.profiles)
        for (const bits of spec.bits) {
          const cells = methods
            .filter((m) => m !== 'float')
            .map((m) => at.find((r) => r.preset === preset && r.bits === bits && r.method === m));
          if (!cells.some(Boolean)) continue;
          table.push([
            preset,
            String(bits),
            String(Math.max(...cells.map((c) => c?.chips ?? 0))),
            ...cells.map((c) => (c ? `${pct(c.result.mean)} ± ${pct(c.result.ci95)}` : '')),
            ...cells
              .filter(
                (_, i) => !['ideal-linear', 'linear'].includes(methods.filter((m) => m !== 'float')[i]!),
              )
              .map((c) => {
                const d = c?.result.vsLinear;
                if (!d) return '';
                const text = `${signed(d.difference)} ± ${pct(d.ci95)}`;
                return d.significant ? `**${text}**` : text;
              }),
          ]);
        }
      const quantMethods = methods.filter((m) => m !== 'float');
      out.push(
        markdownTable(
          [
            'preset',
            'bits',
            'chips',
            ...quantMethods.map((m) => `${METHODS[m].label} (%)`),
            ...quantMethods
              .filter((m) => !['ideal-linear', 'linear'].includes(m))
              .map((m) => `Δ ${METHODS[m].label} vs linear (pp)`),
          ],
          table,
        ),
        '',
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** One figure per preset: panels network × σ scale, accuracy vs bits per method with CI whiskers. */
export function studyCharts(rows: readonly Row[], spec: SweepSpec, command: string) {
  const networks = [...new Set(rows.map((r) => r.network))];
  return spec.profiles.map((preset) => {
    const panels = networks.flatMap((network) =>
      spec.sigmaScales.map((sigma) => {
        const at = rows.filter((r) => r.network === network && r.preset === preset && r.sigmaScale === sigma);
        const float = at.find((r) => r.method === 'float');
        const series: ChartSeries[] = spec.methods
          .filter((m) => m !== 'float')
          .map((m) => ({
            label: METHODS[m].label,
            color: METHODS[m].color,
            points: at
              .filter((r) => r.method === m && r.bits !== null)
              .map((r) => ({
                x: r.bits!,
                y: 100 * r.result.mean,
                lo: 100 * (r.result.mean - r.result.ci95),
                hi: 100 * (r.result.mean + r.result.ci95),
              })),
          }));
        if (float)
          series.unshift({
            label: 'float',
            color: METHODS.float.color,
            dash: '5 4',
            points: spec.bits.map((b) => ({ x: b, y: 100 * float.result.mean })),
          });
        return { title: `${network}, σ × ${sigma}`, series };
      }),
    );
    const svg = (theme: 'light' | 'dark') =>
      chartSvg({
        title: `Accuracy vs bits on ${preset} (${spec.table ?? 'first'} table)`,
        caption: [
          `Mean ± 95 % CI over chips (common random numbers); ${spec.scheme} pairs, ideal ADC/DAC, no read noise.`,
          `ReRAM Bench ${appVersion()}, sweep ${specKey(spec)}: ${command}`,
        ],
        xLabel: 'bits per cell (2^b levels)',
        yLabel: 'top-1 accuracy (%)',
        xTicks: spec.bits,
        yBounds: [0, 100],
        panels,
        columns: spec.sigmaScales.length,
        theme,
      });
    return { preset, svg: svg('light') };
  });
}

/** What a partial study lacks, grouped by network and preset ("VGG-16-style · EpiRAM: σ × 0, 1"). */
export function missingPoints(spec: SweepSpec, results: readonly SweepResult[]): string[] {
  const done = new Set(results.map((r) => r.point.key));
  const groups = new Map<string, number[]>();
  for (const point of gridPoints(spec).filter((p) => !done.has(p.key))) {
    const label = `${modelTitle(point.model)} · ${point.profile}`;
    groups.set(label, [...(groups.get(label) ?? []), point.sigmaScale]);
  }
  return [...groups].map(([label, sigmas]) => `${label}: σ × ${sigmas.join(', ')}`);
}

export function writeStudy(
  outDir: string,
  spec: SweepSpec,
  results: readonly SweepResult[],
  meta: StudyMeta,
): string[] {
  mkdirSync(outDir, { recursive: true });
  const rows = studyRows(results);
  const written: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(outDir, name), data);
    written.push(join(outDir, name));
  };
  const pointsS = results.reduce((sum, r) => sum + r.report.elapsedS, 0);
  write('summary.md', studySummary(rows, spec, { ...meta, pointsS }));
  write('results.csv', studyCsv(rows, spec, meta.command));
  for (const chart of studyCharts(rows, spec, meta.command)) {
    const base = `accuracy-vs-bits-${chart.preset.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
    write(`${base}.svg`, chart.svg);
    write(`${base}.png`, svgToPng(chart.svg));
  }
  return written;
}
