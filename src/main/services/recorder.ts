/**
 * A procedure run recorded as it happens: the run row is created first (so a database that
 * cannot take it fails the start, not the run), points are committed as they stream, the
 * instrument settings snapshot is stored, and the run is closed with its outcome. Used by the
 * CLI and the app alike.
 */
import { cellGuardReason, sampleLabel, UNASSIGNED_SAMPLE, type SampleKey } from '../../shared/cell-guard';
import { ReramError } from '../../shared/errors';
import { RetentionState, type ProcedureParams, type RetentionParams } from '../../shared/procedures';
import type { Point } from '../../shared/run';
import type { Smu } from '../instrument/drivers/smu';
import type { ProcedureResume } from '../instrument/procedures/context';
import { runProcedure, type RunCallbacks, type RunResult } from '../instrument/procedures/runner';
import { appVersion } from '../paths';
import { RunWriter } from '../store/run-writer';
import type { Store } from '../store/store';

export interface RecordCallbacks extends RunCallbacks {
  onRunCreated?(runId: number): void;
}

export class RunRecording {
  private constructor(
    private readonly store: Store,
    private readonly smu: Smu,
    private readonly params: ProcedureParams,
    readonly runId: number,
    private readonly resume: ProcedureResume | undefined,
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
    // Checked before the run row exists: a run that cannot continue records nothing.
    const resume =
      params.procedure === 'retention' && params.resumeFrom !== undefined
        ? retentionResume(store, smu, params, sample)
        : undefined;
    const runId = store.runs.createRun({
      procedure: params.procedure,
      params: params as unknown as Record<string, unknown>,
      instrument: smu.identity,
      resource: smu.resource,
      cell: params.cell,
      sample: { wafer: sample.wafer, die: sample.die, cell: String(params.cell) },
      softwareVersion: appVersion(),
    });
    return new RunRecording(store, smu, params, runId, resume);
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
          this.store.runs.setRunSettings(this.runId, settings);
          callbacks.onConfigured?.(settings);
        },
        onCheckpoint: (summary) => {
          this.store.runs.setRunSummary(this.runId, summary);
          callbacks.onCheckpoint?.(summary);
        },
        ...(this.resume ? { resume: this.resume } : {}),
      });
    } catch (error) {
      await writer.finish('failed', (error as Error).message);
      throw error;
    }
    await writer.finish(result.status, result.error?.message);
    this.store.runs.setRunSummary(this.runId, result.summary);
    // Long runs: draw them once now, while nothing waits, so the run browser opens them at once.
    if (result.points > 20_000) this.store.runs.runTrace(this.runId);
    return result;
  }
}

/** The schedule a continued retention run must share with the run it continues. */
const RETENTION_SCHEDULE = [
  'levels',
  'duration',
  'firstRead',
  'readsPerDecade',
  'tolerance',
  'readV',
] as const;

/**
 * What a retention run that continues `params.resumeFrom` takes over: that run's checkpointed
 * state, on the same sample and cell, with the same schedule, and stopped (not completed, not
 * running). The time since its checkpoint is the wall time on a real bench; on the virtual SMU
 * it is 0 (its clock moves only when it is told to).
 */
export function retentionResume(
  store: Store,
  smu: Smu,
  params: RetentionParams,
  sample: SampleKey,
): ProcedureResume {
  const fromRun = params.resumeFrom!;
  const refuse = (why: string) =>
    new ReramError('INVALID_INPUT', `Run ${fromRun} cannot be continued: ${why}.`, { field: 'resumeFrom' });
  const old = store.runs.getRun(fromRun);
  if (old.procedure !== 'retention') throw refuse(`it is a ${old.procedure} run, not a retention run`);
  if (old.status === 'completed') throw refuse('it completed');
  if (old.status === 'running') throw refuse('it is still running');
  if (old.cell !== params.cell) throw refuse(`it ran on cell ${old.cell}, not cell ${params.cell}`);
  const oldSample = store.runs.runSample(fromRun);
  if (oldSample?.wafer !== sample.wafer || oldSample.die !== sample.die)
    throw refuse(
      `it ran on ${oldSample ? sampleLabel({ ...sample, ...oldSample }) : 'no recorded sample'}, not on ${sampleLabel(sample)}`,
    );
  const changed = RETENTION_SCHEDULE.filter((key) => old.params[key] !== params[key]);
  if (changed.length)
    throw refuse(
      `its schedule differs (${changed.map((key) => `${key} ${String(old.params[key])} → ${String(params[key])}`).join(', ')})`,
    );
  const parsed = RetentionState.safeParse(old.summary?.retentionState);
  if (!parsed.success) throw refuse('it stopped before its levels were set (nothing to continue)');
  const state = parsed.data;
  const gapS = smu.virtual ? 0 : Math.max(0, (Date.now() - Date.parse(state.at)) / 1000);
  return { fromRun, state, gapS };
}

/**
 * For a queue step whose run was stopped: the same step continuing that run, where it can (a
 * retention run with its state checkpointed, not completed); null to run the step afresh.
 */
export function continuationOf(
  store: Store,
  params: ProcedureParams,
  stoppedRunId: number,
): ProcedureParams | null {
  if (params.procedure !== 'retention') return null;
  let run;
  try {
    run = store.runs.getRun(stoppedRunId);
  } catch {
    return null;
  }
  const stopped = run.status !== 'completed' && run.status !== 'running';
  if (run.procedure !== 'retention' || !stopped || run.summary?.retentionState === undefined) return null;
  return { ...params, resumeFrom: stoppedRunId };
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
