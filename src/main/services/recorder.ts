/**
 * A procedure run recorded as it happens: the run row is created first (so a database that
 * cannot take it fails the start, not the run), points are committed as they stream, the
 * instrument settings snapshot is stored, and the run is closed with its outcome. Used by the
 * CLI and the app alike.
 */
import type { ProcedureParams } from '../../shared/procedures';
import type { Point } from '../../shared/run';
import type { Smu } from '../instrument/drivers/smu';
import { runProcedure, type RunCallbacks, type RunResult } from '../instrument/procedures/runner';
import { appVersion } from '../paths';
import { RunWriter, type Store } from '../store/store';

export interface RecordCallbacks extends RunCallbacks {
  onRunCreated?(runId: number): void;
}

export class RunRecording {
  private constructor(
    private readonly store: Store,
    private readonly smu: Smu,
    private readonly params: ProcedureParams,
    readonly runId: number,
  ) {}

  /** Creates the run row; throws (synchronously) when the database cannot take it. */
  static start(store: Store, smu: Smu, params: ProcedureParams): RunRecording {
    const runId = store.createRun({
      procedure: params.procedure,
      params: params as unknown as Record<string, unknown>,
      instrument: smu.identity,
      resource: smu.resource,
      cell: params.cell,
      ...(params.cell !== undefined ? { sample: { cell: String(params.cell) } } : {}),
      softwareVersion: appVersion(),
    });
    return new RunRecording(store, smu, params, runId);
  }

  async run(callbacks: RunCallbacks = {}): Promise<RunResult> {
    const log = callbacks.log ?? (() => {});
    const writer = new RunWriter(this.store, this.runId, {
      onDelay: (message) => log(`run ${this.runId}: ${message}`),
    });
    let result: RunResult;
    try {
      result = await runProcedure(this.smu, this.params, {
        ...callbacks,
        onPoint: (point: Point) => {
          writer.add(point);
          callbacks.onPoint?.(point);
        },
        onConfigured: (settings) => {
          this.store.setRunSettings(this.runId, settings);
          callbacks.onConfigured?.(settings);
        },
      });
    } catch (error) {
      await writer.finish('failed', (error as Error).message);
      throw error;
    }
    await writer.finish(result.status, result.error?.message);
    this.store.setRunSummary(this.runId, result.summary);
    // Long runs: draw them once now, while nothing waits, so the run browser opens them at once.
    if (result.points > 20_000) this.store.runTrace(this.runId);
    return result;
  }
}

export async function recordRun(
  store: Store,
  smu: Smu,
  params: ProcedureParams,
  callbacks: RecordCallbacks = {},
): Promise<{ runId: number; result: RunResult }> {
  const recording = RunRecording.start(store, smu, params);
  callbacks.onRunCreated?.(recording.runId);
  return { runId: recording.runId, result: await recording.run(callbacks) };
}
