/** Predictions in main and the CLI: in this thread, or spread over a worker pool. */
import * as ort from 'onnxruntime-node';
import { checkPredictInput, predict, type PredictHooks, type PredictInput } from '../../shared/rca/predict';
import type { PredictionReport } from '../../shared/rca/report';
import { checkDevice, nodeRuntime, type Device } from '../nn/ort-node';
import type { PredictPool } from './pool';

export async function runPrediction(
  input: PredictInput,
  hooks: PredictHooks,
  options: {
    pool?: PredictPool | undefined;
    threads?: number | undefined;
    device?: Device | undefined;
    /** Chips per graph call where chips vary (benchmarks compare 1 with the default). */
    chipsPerCall?: number | undefined;
  } = {},
): Promise<PredictionReport> {
  const { pool } = options;
  const chipsPerCall = options.chipsPerCall !== undefined ? { chipsPerCall: options.chipsPerCall } : {};
  const device = pool?.device ?? options.device ?? 'cpu';
  await checkDevice(device);
  if (!pool)
    return predict(
      nodeRuntime({ ...(options.threads ? { threads: options.threads } : {}), device }),
      input,
      hooks,
      chipsPerCall,
    );
  // Bad input is refused here, before any worker exists (see checkPredictInput).
  checkPredictInput(input);
  const evaluators = await pool.evaluators(input, {
    saveModels: hooks.onModel !== undefined,
    ...chipsPerCall,
  });
  return predict(nodeRuntime({ threads: pool.threads, device }), input, hooks, {
    ...chipsPerCall,
    evaluators,
    runtimeDescription: `onnxruntime-node ${ort.env.versions.common}, ${pool.description}`,
  });
}
