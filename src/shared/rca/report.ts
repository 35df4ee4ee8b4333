/** PredictionReport: the artefact of a prediction, the same for the CLI (--json) and the UI. */
import { z } from 'zod';

export const PREDICT_METHODS = ['float', 'ideal-linear', 'linear', 'mes'] as const;
export const PredictMethodSchema = z.enum(PREDICT_METHODS);

export const PredictSettings = z.object({
  methods: z.array(PredictMethodSchema).min(1),
  bits: z.array(z.number().int().min(1).max(12)).min(1),
  scheme: z.enum(['differential', 'bias']).default('differential'),
  scale: z.enum(['max', 'mse']).default('mse'),
  tile: z
    .object({ rows: z.number().int().min(1).max(4096), cols: z.number().int().min(1).max(4096) })
    .default({ rows: 128, cols: 128 }),
  adcBits: z.number().int().min(2).max(16).nullable().default(null),
  dacBits: z.number().int().min(1).max(16).nullable().default(null),
  readNoise: z.number().min(0).max(1).default(0),
  sigmaScale: z.number().min(0).max(100).default(1),
  trials: z.number().int().min(1).max(1000).default(5),
  seed: z.number().int().min(0).default(1),
  /** Evaluate on the first N test images. */
  limit: z.number().int().positive().optional(),
  /** Images used to calibrate the converter ranges (taken from the start of the test set). */
  calibration: z.number().int().min(1).max(10_000).default(100),
  batchSize: z.number().int().min(1).max(4096).default(250),
});
export type PredictSettings = z.output<typeof PredictSettings>;
export type PredictSettingsInput = z.input<typeof PredictSettings>;

export const MethodResult = z.object({
  method: PredictMethodSchema,
  bits: z.number().int().nullable(),
  /** Mean top-1 accuracy over chip instances (0…1). */
  mean: z.number(),
  /** Half-width of the 95 % confidence interval: over chips (t-interval) with ≥ 2 trials, else the test-set binomial error. */
  ci95: z.number(),
  accuracies: z.array(z.number()),
});
export type MethodResult = z.infer<typeof MethodResult>;

export const LayerReport = z.object({
  method: PredictMethodSchema,
  bits: z.number().int(),
  name: z.string(),
  alpha: z.number(),
  mse: z.number(),
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

export const PredictionReport = z.object({
  schemaVersion: z.literal(1),
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
    levels: z.number().int(),
    gMin: z.number(),
    gMax: z.number(),
  }),
  settings: PredictSettings,
  runtime: z.string(),
  results: z.array(MethodResult),
  layers: z.array(LayerReport),
  weightHistograms: z.array(WeightHistogram),
  elapsedS: z.number(),
  createdAt: z.string(),
});
export type PredictionReport = z.infer<typeof PredictionReport>;

/** CSV of the accuracy table: one row per method × bits. */
export function reportToCsv(report: PredictionReport): string {
  const rows = report.results.map((r) =>
    [r.method, r.bits ?? '', r.mean, r.ci95, r.accuracies.length].join(','),
  );
  return `method,bits,accuracy_mean,accuracy_ci95,trials\n${rows.join('\n')}\n`;
}
