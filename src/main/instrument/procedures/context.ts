import { CancelledError } from '../../../shared/errors';
import type { RetentionState } from '../../../shared/procedures';
import type { Phase, Point, PointKind } from '../../../shared/run';
import type { Measurement } from '../drivers/smu';
import type { GuardedSmu } from '../guard';

export interface PointLabel {
  phase: Phase;
  kind: PointKind;
  pulse: number;
  cycle: number;
  target?: number | null;
}

/** A stopped run this one continues: its checkpointed state, and the time since (s). */
export interface ProcedureResume {
  fromRun: number;
  state: RetentionState;
  /** Seconds that passed since the checkpoint for the cell (0 on the virtual SMU: its clock stood still). */
  gapS: number;
}

/** What a procedure sees: the guarded instrument, cancellation, and ways to report. No SCPI. */
export interface ProcedureContext {
  smu: GuardedSmu;
  cell: number;
  signal: AbortSignal | undefined;
  /** Records a measurement as a Point and streams it. */
  record(m: Measurement, label: PointLabel): Point;
  /** One step of the planned total done. */
  step(message?: string): void;
  /** Write-verify: its target conductances and their acceptance bands (±, S), shown live. */
  setTargets(targets: number[], bands: number[]): void;
  /** The procedure is done before its planned total (forming found its event): the total shrinks to what was done. */
  endEarly(message: string): void;
  checkCancelled(): void;
  sleep(seconds: number): Promise<void>;
  log(message: string): void;
  summary: Record<string, unknown>;
  /** Makes the summary durable now (a long run's state, for continuing it after a stop). */
  checkpoint(): void;
  resume?: ProcedureResume;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

export function cancellableSleep(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, seconds * 1000);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
