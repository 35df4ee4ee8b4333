/**
 * A procedure run recorded as it happens: the run row is created first (so a database that
 * cannot take it fails the start, not the run), points are committed as they stream, the
 * instrument settings snapshot is stored, and the run is closed with its outcome. Used by the
 * CLI and the app alike.
 */
import { cellGuardReason, sampleLabel, UNASSIGNED_SAMPLE, type SampleKey } from '../../shared/cell-guard';
import { ReramError } from '../../shared/errors';
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

  /**
   * Creates the run row; throws (synchronously) when the database cannot take it, or when the
   * cell's recorded state says the procedure must not run on it and nobody acknowledged that
   * (the cell guard: every front door records through here).
   */
  static start(
    store: Store,
    smu: Smu,
    params: ProcedureParams,
    sample: SampleKey,
    options: { acknowledgeCellState?: boolean } = {},
  ): RunRecording {
    const reason = cellGuardReason(params.procedure, store.cells.state(sample, params.cell));
    if (reason !== null && !options.acknowledgeCellState)
      throw new ReramError(
        'NEEDS_CONFIRMATION',
        `${reason.charAt(0).toUpperCase()}${reason.slice(1)} (${sampleLabel(sample)}). Nothing was sent.`,
        { cellGuard: reason, cell: params.cell },
      );
    const runId = store.createRun({
      procedure: params.procedure,
      params: params as unknown as Record<string, unknown>,
      instrument: smu.identity,
      resource: smu.resource,
      cell: params.cell,
      sample: { wafer: sample.wafer, die: sample.die, cell: String(params.cell) },
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

/**
 * The sample an instrument's runs belong to: the virtual SMU's die (its own id), or the one the
 * user names for a real bench (unassigned when none).
 */
export async function sampleOf(smu: Smu, given?: Partial<SampleKey>): Promise<SampleKey> {
  const die = await smu.virtualDie();
  if (die !== null) return { wafer: 'virtual', die };
  return { ...UNASSIGNED_SAMPLE, ...given };
}

export async function recordRun(
  store: Store,
  smu: Smu,
  params: ProcedureParams,
  sample: SampleKey,
  callbacks: RecordCallbacks & { acknowledgeCellState?: boolean } = {},
): Promise<{ runId: number; result: RunResult }> {
  const recording = RunRecording.start(store, smu, params, sample, callbacks);
  callbacks.onRunCreated?.(recording.runId);
  return { runId: recording.runId, result: await recording.run(callbacks) };
}
