/** PredictionReport: the artefact of a prediction, the same for the CLI (--json) and the UI. */
import { z } from 'zod';
import { param } from '../params';

import { PREDICT_METHODS } from '../quant/methods';

export { PREDICT_METHODS };
export const PredictMethodSchema = z.enum(PREDICT_METHODS);

export const PredictSettings = z.object({
  methods: param(z.array(PredictMethodSchema).min(1).default(['float', 'linear', 'mes', 'mes-sigma']), {
    label: 'Methods',
    help: 'how weights are put on the device (docs/methods.md)',
  }),
  bits: param(z.array(z.number().int().min(1).max(12)).min(1).default([2, 3, 4]), {
    label: 'Bits',
    help: 'bit widths: 2^b levels each (at most what the table has)',
  }),
  scheme: param(z.enum(['differential', 'bias']).default('differential'), {
    label: 'Mapping',
    help: 'differential pair (G⁺ − G⁻) or one cell against a bias column',
  }),
  scale: param(z.enum(['max', 'mse']).default('mse'), {
    label: 'MES scale',
    help: 'α from the largest weight, or the least squared error',
    advanced: true,
  }),
  tile: z
    .object({ rows: z.number().int().min(1).max(4096), cols: z.number().int().min(1).max(4096) })
    .default({ rows: 128, cols: 128 }),
  adcBits: param(z.number().int().min(2).max(16).nullable().default(null), {
    label: 'ADC bits',
    help: 'per column tile (empty: ideal read-out)',
    flag: 'adc',
  }),
  dacBits: param(z.number().int().min(1).max(16).nullable().default(null), {
    label: 'DAC bits',
    help: 'on layer inputs (empty: ideal)',
    flag: 'dac',
    advanced: true,
  }),
  readNoise: param(z.number().min(0).max(1).default(0), {
    label: 'Read noise',
    help: 'relative σ of each cell read',
  }),
  sigmaScale: param(z.number().min(0).max(100).default(1), {
    label: 'Programming σ ×',
    help: "scales each level's measured σ (0: quantization only)",
  }),
  after: param(z.number().min(0).max(3.2e9).default(0), {
    label: 'After',
    unit: 's',
    help: "time since programming (1h, 1d, 1y…): each level drifts by the profile's measured law, each cell with its own ν; 0: as programmed",
    flag: 'after',
  }),
  driftCompensation: param(z.boolean().default(false), {
    label: 'Drift compensation',
    help: "one output scale per layer from a calibration read of the chip at t₀ and after (aihwkit's global drift compensation)",
    flag: 'compensate',
  }),
  deviceDraw: param(z.enum(['gaussian', 'measured-cells']).default('gaussian'), {
    label: 'Device draw',
    help: "many-cell profiles: each crossbar cell's device is a Gaussian draw with the level's σ, or one of the measured cells at random (its own levels, so skew and outlier cells carry over) with the cycle-to-cycle σ on top",
    advanced: true,
    flag: 'device-draw',
  }),
  driftNu: param(z.number().min(0).max(1).optional(), {
    label: 'Drift ν',
    help: "every level's ν, for a profile without a measured law (retention runs and `profile build` give one)",
    advanced: true,
  }),
  driftNuSigma: param(z.number().min(0).max(1).default(0), {
    label: 'Drift ν σ',
    help: 'device-to-device spread of ν with --drift-nu',
    advanced: true,
  }),
  trials: param(z.number().int().min(1).max(1000).optional(), {
    label: 'Chips',
    help: 'chip instances; empty: add chips until the paired differences are known to ± the target',
    flag: 'trials',
  }),
  untilCi: param(z.number().min(0.01).max(50).default(0.5), {
    label: 'Until ±',
    unit: 'pp',
    help: 'stop adding chips when every difference to linear has a 95 % CI this narrow (percentage points)',
    flag: 'until-ci',
  }),
  minChips: param(z.number().int().min(2).max(1000).default(5), {
    label: 'Chips at least',
    help: 'before the stopping rule is checked',
    advanced: true,
  }),
  maxChips: param(z.number().int().min(2).max(1000).default(40), {
    label: 'Chip budget',
    help: 'most chips for --until-ci',
    advanced: true,
  }),
  seed: param(z.number().int().min(0).default(1), {
    label: 'Seed',
    help: 'same seed, same chips',
    advanced: true,
  }),
  commonChips: param(z.boolean().default(true), {
    label: 'Common chips',
    help: 'every method on the same physical chips (common random numbers); off only to show what pairing buys',
    advanced: true,
  }),
  /** Evaluate on the first N test images. */
  limit: param(z.number().int().positive().optional(), {
    label: 'Images',
    help: 'evaluate the first N test images (empty: all)',
    advanced: true,
  }),
  /** Images used to calibrate the converter ranges (taken from the start of the test set). */
  calibration: param(z.number().int().min(1).max(10_000).default(100), {
    label: 'Calibration images',
    help: 'for the ADC/DAC ranges',
    advanced: true,
  }),
  batchSize: param(z.number().int().min(1).max(4096).default(250), {
    label: 'Batch',
    help: 'images per inference call',
    advanced: true,
  }),
});
export type PredictSettings = z.output<typeof PredictSettings>;
export type PredictSettingsInput = z.input<typeof PredictSettings>;
type SettingsShape = (typeof PredictSettings)['shape'];
type SettingKey = keyof SettingsShape;

/**
 * A report's settings grouped by hardware part (schemaVersion 2), as CrossSim's XbarParameters
 * (device, array, ADC, DAC) and aihwkit's InferenceRPUConfig group theirs, with the run's own
 * settings apart. Each entry names the declared {@link PredictSettings} field it holds, so a
 * setting's label, range, default, form and CLI flag stay declared once; every field is in exactly
 * one group (test/integration/report-versions.test.ts).
 */
export const SETTINGS_GROUPS = {
  run: {
    methods: 'methods',
    bits: 'bits',
    trials: 'trials',
    untilCi: 'untilCi',
    minChips: 'minChips',
    maxChips: 'maxChips',
    seed: 'seed',
    commonChips: 'commonChips',
    limit: 'limit',
    calibration: 'calibration',
    batchSize: 'batchSize',
  },
  mapping: { scheme: 'scheme', scale: 'scale' },
  device: {
    sigmaScale: 'sigmaScale',
    draw: 'deviceDraw',
    after: 'after',
    driftNu: 'driftNu',
    driftNuSigma: 'driftNuSigma',
  },
  array: { tile: 'tile' },
  read: { noise: 'readNoise', driftCompensation: 'driftCompensation' },
  adc: { bits: 'adcBits' },
  dac: { bits: 'dacBits' },
} as const satisfies Record<string, Record<string, SettingKey>>;
type Groups = typeof SETTINGS_GROUPS;

function groupSchema<G extends Record<string, SettingKey>>(group: G) {
  const shape = Object.fromEntries(
    Object.entries(group).map(([name, key]) => [name, PredictSettings.shape[key]]),
  );
  return z.object(shape as { [K in keyof G]: SettingsShape[G[K]] });
}

export const ReportSettings = z.object({
  run: groupSchema(SETTINGS_GROUPS.run),
  mapping: groupSchema(SETTINGS_GROUPS.mapping),
  device: groupSchema(SETTINGS_GROUPS.device),
  array: groupSchema(SETTINGS_GROUPS.array),
  read: groupSchema(SETTINGS_GROUPS.read),
  adc: groupSchema(SETTINGS_GROUPS.adc),
  dac: groupSchema(SETTINGS_GROUPS.dac),
});
export type ReportSettings = z.output<typeof ReportSettings>;

/** The flat settings a prediction runs with, grouped as a report carries them. */
export function groupSettings(flat: PredictSettings): ReportSettings {
  const grouped: Record<string, Record<string, unknown>> = {};
  for (const [group, fields] of Object.entries(SETTINGS_GROUPS) as Array<
    [keyof Groups, Record<string, SettingKey>]
  >) {
    grouped[group] = {};
    for (const [name, key] of Object.entries(fields))
      if (flat[key] !== undefined) grouped[group][name] = flat[key];
  }
  return ReportSettings.parse(grouped);
}

/** A report's grouped settings as the flat settings a prediction (or its form) takes. */
export function flatSettings(grouped: ReportSettings): PredictSettings {
  const flat: Record<string, unknown> = {};
  for (const [group, fields] of Object.entries(SETTINGS_GROUPS) as Array<
    [keyof Groups, Record<string, SettingKey>]
  >) {
    const values = grouped[group] as Record<string, unknown>;
    for (const [name, key] of Object.entries(fields))
      if (values[name] !== undefined) flat[key] = values[name];
  }
  return PredictSettings.parse(flat);
}

export const MethodResult = z.object({
  method: PredictMethodSchema,
  bits: z.number().int().nullable(),
  /** Mean top-1 accuracy over chip instances (0…1). */
  mean: z.number(),
  /** Half-width of the 95 % confidence interval, chip-to-chip spread and test-set sampling together. */
  ci95: z.number(),
  accuracies: z.array(z.number()),
  /** Paired difference to linear at the same bits (common chips, or the same images). */
  vsLinear: z
    .object({
      difference: z.number(),
      ci95: z.number(),
      significant: z.boolean(),
      /** What varies in the interval: the chips and the test images, or the images alone (one chip). */
      unit: z.enum(['chips', 'images', 'chips and images']),
      /** Chips paired. */
      n: z.number().int(),
      /** The two parts of ci95 (they add in quadrature): more chips shrink one, more images the other. */
      chipsCi95: z.number().optional(),
      imagesCi95: z.number().optional(),
    })
    .optional(),
});
export type MethodResult = z.infer<typeof MethodResult>;

export const LayerReport = z.object({
  method: PredictMethodSchema,
  bits: z.number().int(),
  name: z.string(),
  alpha: z.number(),
  mse: z.number(),
  expectedMse: z.number(),
  /** Σw·ŵ / Σw² (absent in reports stored before it was computed). */
  gain: z.number().optional(),
  maxError: z.number(),
  /** Weights per level index. */
  histogram: z.array(z.number().int()),
  /** Weight values the levels realise (non-negative side; the differential scheme mirrors them). */
  candidates: z.array(z.number()),
});
export type LayerReport = z.infer<typeof LayerReport>;

export const WeightHistogram = z.object({
  name: z.string(),
  min: z.number(),
  max: z.number(),
  counts: z.array(z.number().int()),
});
export type WeightHistogram = z.infer<typeof WeightHistogram>;

/** The report version this build writes; it reads version 1 (flat settings) too. */
export const REPORT_SCHEMA_VERSION = 2;

/**
 * Version 1 reports (before the settings were grouped) read as version 2: the same fields, their
 * flat settings grouped. Anything else passes through for the schema to judge.
 */
function upgradeReport(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || (raw as { schemaVersion?: unknown }).schemaVersion !== 1) return raw;
  const flat = PredictSettings.safeParse((raw as { settings?: unknown }).settings);
  return flat.success ? { ...raw, schemaVersion: 2, settings: groupSettings(flat.data) } : raw;
}

const PredictionReportV2 = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  model: z.object({
    name: z.string(),
    parameters: z.number().int(),
    layers: z.array(
      z.object({
        name: z.string(),
        op: z.string(),
        rows: z.number().int(),
        cols: z.number().int(),
        rowTiles: z.number().int(),
        colTiles: z.number().int(),
      }),
    ),
  }),
  dataset: z.object({ name: z.string(), evaluated: z.number().int(), calibration: z.number().int() }),
  device: z.object({
    profile: z.string(),
    table: z.string(),
    /** What the table's σ is (open-loop or write-verify), where it says. */
    programming: z.enum(['open-loop', 'write-verify']).nullable(),
    levels: z.number().int(),
    gMin: z.number(),
    gMax: z.number(),
    /**
     * A table built from many cells: what each level's σ holds, and which spread dominates
     * (RMS over levels of σ_d2d/σ_c2c; above 1, the cells differ more than one cell repeats).
     */
    spread: z
      .object({
        sigma: z.enum(['c2c', 'c2c+d2d']),
        cells: z.number().int(),
        d2dOverC2c: z.number(),
        dominates: z.enum(['device-to-device', 'cycle-to-cycle']),
      })
      .optional(),
  }),
  settings: ReportSettings,
  runtime: z.string(),
  chips: z.object({
    count: z.number().int(),
    mode: z.enum(['fixed', 'until-ci']),
    target: z.number(),
    /** until-ci: whether every difference reached ±target within the budget (null: fixed count). */
    reachedTarget: z.boolean().nullable(),
    /** Why the target was not reached: the chip budget, or the test set (more chips would not help). */
    limitedBy: z.enum(['images', 'budget']).nullable().default(null),
  }),
  results: z.array(MethodResult),
  layers: z.array(LayerReport),
  weightHistograms: z.array(WeightHistogram),
  elapsedS: z.number(),
  createdAt: z.string(),
});
export const PredictionReport = z.preprocess(upgradeReport, PredictionReportV2);
export type PredictionReport = z.output<typeof PredictionReportV2>;

/**
 * CSV of the accuracy table: one row per method × bits, after a header block of `#` lines that
 * carries what made it (model, data, device, every setting as JSON).
 */
export function reportToCsv(report: PredictionReport): string {
  const header = [
    `# ReRAM Bench prediction, ${report.createdAt}`,
    `# model: ${report.model.name}; data: ${report.dataset.name} (${report.dataset.evaluated} images)`,
    `# device: ${report.device.profile}, table '${report.device.table}' (${report.device.levels} levels${report.device.programming ? `, σ ${report.device.programming}` : ''})`,
    `# chips: ${report.chips.count} (${report.chips.mode}); runtime: ${report.runtime}`,
    `# settings: ${JSON.stringify(report.settings)}`,
  ].join('\n');
  const rows = report.results.map((r) =>
    [
      r.method,
      r.bits ?? '',
      r.mean,
      r.ci95,
      r.accuracies.length,
      r.vsLinear?.difference ?? '',
      r.vsLinear?.ci95 ?? '',
      r.vsLinear ? (r.vsLinear.significant ? 1 : 0) : '',
    ].join(','),
  );
  return `${header}\nmethod,bits,accuracy_mean,accuracy_ci95,chips,diff_vs_linear,diff_ci95,significant\n${rows.join('\n')}\n`;
}
