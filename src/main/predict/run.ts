/** Predictions in main and the CLI: in this thread, or spread over a worker pool. */
import * as ort from 'onnxruntime-node';
import { predict, type PredictHooks, type PredictInput } from '../../shared/rca/predict';
import type { PredictionReport } from '../../shared/rca/report';
import { nodeRuntime } from '../nn/ort-node';
import type { PredictPool } from './pool';

export async function runPrediction(
  input: PredictInput,
  hooks: PredictHooks,
  options: { pool?: PredictPool | undefined; threads?: number | undefined } = {},
): Promise<PredictionReport> {
  const { pool } = options;
  if (!pool) return predict(nodeRuntime(options.threads ? { threads: options.threads } : {}), input, hooks);
  const evaluators = await pool.evaluators(input, { saveModels: hooks.onModel !== undefined });
  return predict(nodeRuntime({ threads: pool.threads }), input, hooks, {
    evaluators,
    runtimeDescription: `onnxruntime-node ${ort.env.versions.common}, CPU, ${pool.description}`,
  });
}
