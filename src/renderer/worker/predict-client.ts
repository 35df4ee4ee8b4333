import { ReramError, type ErrorCode } from '../../shared/errors';
import type { MethodResult, PredictionReport } from '../../shared/rca/report';
import type { PredictJob, WorkerReply } from './protocol';

export interface PredictHandle {
  result: Promise<PredictionReport>;
  cancel(): void;
}

/** Runs a prediction in a dedicated worker; one worker per run, terminated when it ends. */
export function startPredict(
  job: Omit<PredictJob, 'type'>,
  onProgress: (fraction: number, message: string, partial: MethodResult[]) => void,
): PredictHandle {
  const worker = new Worker(new URL('./predict.worker.ts', import.meta.url), {
    type: 'module',
    name: 'predict',
  });
  let settle: { resolve: (r: PredictionReport) => void; reject: (e: Error) => void };
  const result = new Promise<PredictionReport>((resolve, reject) => (settle = { resolve, reject }));
  worker.onmessage = (event: MessageEvent<WorkerReply>) => {
    const message = event.data;
    if (message.type === 'progress') onProgress(message.fraction, message.message, message.partial);
    else if (message.type === 'done') {
      settle.resolve(message.report);
      worker.terminate();
    } else if (message.type === 'error') {
      settle.reject(new ReramError(message.code as ErrorCode, message.message));
      worker.terminate();
    }
  };
  worker.onerror = (event) => {
    settle.reject(new Error(`The prediction worker failed: ${event.message}`));
    worker.terminate();
  };
  // The model and data bytes are transferred, not copied.
  const transfer = [
    job.model.buffer,
    ...(job.data.kind === 'idx' ? [job.data.images.buffer, job.data.labels.buffer] : [job.data.bytes.buffer]),
  ].filter((b, k, all) => b instanceof ArrayBuffer && all.indexOf(b) === k) as ArrayBuffer[];
  worker.postMessage({ type: 'run', ...job } satisfies PredictJob, transfer);
  return {
    result,
    cancel() {
      worker.postMessage({ type: 'cancel' });
      // Stop for sure after a grace period: cancellation is checked between batches.
      setTimeout(() => {
        worker.terminate();
        settle.reject(new ReramError('CANCELLED', 'Prediction cancelled.'));
      }, 1500);
    },
  };
}
