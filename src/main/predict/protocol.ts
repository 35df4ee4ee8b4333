/** Messages between the prediction pool (main thread) and its workers. */
import { CancelledError, type SerializedError } from '../../shared/errors';
import type { PredictInput, ChipOutcome, EvaluatorOptions } from '../../shared/rca/predict';

export type ToWorker =
  | { type: 'init'; jobId: number; input: PredictInput; options: EvaluatorOptions }
  | { type: 'evaluate'; jobId: number; requestId: number; chips: number[]; configs?: number[] }
  | { type: 'cancel'; jobId: number }
  | { type: 'release'; jobId: number }
  /** Cancel everything, wait for runs in flight, free every session, then reply 'closed'. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; jobId: number }
  | { type: 'progress'; requestId: number; evaluations: number; label: string }
  | { type: 'result'; requestId: number; outcomes: ChipOutcome[] }
  | { type: 'error'; requestId: number | null; jobId: number; error: SerializedError }
  | { type: 'closed' };

/** How a job ends when its pool is closed under it (PredictPool.close, the worker's 'close'). */
export function workersShutDown(): CancelledError {
  return new CancelledError('Cancelled: the prediction workers were shut down');
}
