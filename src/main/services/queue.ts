/**
 * The experiment queue: a recipe's steps over its cells, one run each, unattended. A failed step
 * is retried, then the rest of its cell skipped (or the queue stopped, as the recipe says); every
 * step's outcome is stored as it ends. A step runs only on a cell in the state it requires (the
 * cell guard: skip, or ask). A cancelled step stops the queue; "stop after this step" lets the
 * running step finish. Resuming re-runs every step that did not complete, in order (a retention
 * step stopped mid-run carries on from its checkpoint instead).
 * The same runner serves the app (through the instrument service) and the CLI (`run`).
 */
import type { ProcedureParams } from '../../shared/procedures';
import { stepParams, type QueueState, type QueueStep, type Recipe } from '../../shared/recipes';
import type { QueueRepository } from '../store/queues';

export interface StepOutcome {
  runId: number | null;
  status: 'completed' | 'failed' | 'cancelled' | 'interrupted';
  error: string | null;
}

/**
 * Runs one procedure to its end (the output is off again when it returns). `acknowledged`: the
 * user chose to run it although the cell guard advised against it.
 */
export type StepExecutor = (
  params: ProcedureParams,
  signal: AbortSignal,
  options: { acknowledged: boolean; onRunCreated(runId: number): void },
) => Promise<StepOutcome>;

export interface QueueHooks {
  /** Aborts the running step at once (output off) and stops the queue. */
  signal?: AbortSignal;
  /** Stops the queue once the running step has finished; the step itself runs to its end. */
  stopAfterStep?: AbortSignal;
  onUpdate?(state: QueueState): void;
  /** Called before the first step on a new cell (real probes must move); resolve to go on. */
  beforeCell?(cell: number, signal: AbortSignal): Promise<void>;
  /** Why this step should not run on its cell as the cell is now (the cell guard), or null. */
  checkCell?(params: ProcedureParams): string | null;
  /** With the recipe's cell guard on 'ask': whether to run the step anyway. No hook: skip. */
  confirmCell?(step: QueueStep, reason: string, signal: AbortSignal): Promise<boolean>;
  /**
   * A step whose earlier attempt was stopped (the process quit mid-run): the params that continue
   * that run instead of starting over, or null to start over (a retention run carries on).
   */
  continuation?(params: ProcedureParams, stoppedRunId: number): ProcedureParams | null;
}

export async function runQueue(
  repo: QueueRepository,
  id: number,
  execute: StepExecutor,
  hooks: QueueHooks = {},
): Promise<QueueState> {
  const recipe: Recipe = repo.recipe(id);
  const signal = hooks.signal ?? new AbortController().signal;
  const stopping = () => signal.aborted || hooks.stopAfterStep?.aborted === true;
  const publish = () => hooks.onUpdate?.(repo.state(id));
  publish();
  let lastCell: number | undefined;
  let stoppedByCancel = false;
  for (const step of repo.state(id).steps) {
    if (stopping()) break;
    if (step.status !== 'pending') {
      if (step.status === 'completed') lastCell = step.cell;
      continue;
    }
    // Skipped while we ran (a failure earlier on this cell)?
    if (repo.state(id).steps[step.position]!.status !== 'pending') continue;
    if (step.cell !== lastCell) {
      await hooks.beforeCell?.(step.cell, signal);
      if (stopping()) break;
      lastCell = step.cell;
    }
    const fresh = stepParams(recipe, step.step, step.cell);
    const params = (step.runId !== null ? hooks.continuation?.(fresh, step.runId) : null) ?? fresh;
    const reason = hooks.checkCell?.(params) ?? null;
    if (reason !== null) {
      const run =
        recipe.cellGuard === 'ask' && hooks.confirmCell
          ? await hooks.confirmCell(step, reason, signal)
          : false;
      if (stopping()) break;
      if (!run) {
        repo.updateStep(id, step.position, { status: 'skipped', error: `cell guard: ${reason}` });
        publish();
        continue;
      }
    }
    const acknowledged = reason !== null;
    let tries = 0;
    let attempts = step.attempts;
    for (;;) {
      tries++;
      attempts++;
      repo.updateStep(id, step.position, { status: 'running', attempts, error: null });
      publish();
      let outcome: StepOutcome;
      try {
        outcome = await execute(params, signal, {
          acknowledged,
          // Known from the start, so a queue resumed after a crash finds the run that was going.
          onRunCreated: (runId) => repo.updateStep(id, step.position, { runId }),
        });
      } catch (error) {
        outcome = {
          runId: null,
          status: 'failed',
          error: error instanceof Error ? error.message : String(error),
        };
      }
      if (outcome.status === 'completed') {
        repo.updateStep(id, step.position, { status: 'completed', runId: outcome.runId, error: null });
        break;
      }
      if (outcome.status === 'cancelled' || signal.aborted) {
        // Cancelled from anywhere (the queue's Stop now, Output OFF, Esc): the queue stops here,
        // so nothing runs next on a cell whose step did not finish.
        repo.updateStep(id, step.position, {
          status: 'cancelled',
          runId: outcome.runId,
          error: outcome.error ?? 'cancelled',
        });
        stoppedByCancel = true;
        break;
      }
      const retry = recipe.onFailure === 'retry-then-skip' && tries <= recipe.retries && !stopping();
      repo.updateStep(id, step.position, {
        status: retry ? 'running' : 'failed',
        runId: outcome.runId,
        error: outcome.error,
      });
      publish();
      if (retry) continue;
      if (recipe.onFailure === 'stop') {
        repo.finish(id, 'failed');
        publish();
        return repo.state(id);
      }
      // The rest of this cell depends on this step: skip it.
      for (const later of repo.state(id).steps)
        if (later.cell === step.cell && later.position > step.position && later.status === 'pending')
          repo.updateStep(id, later.position, { status: 'skipped', error: `step ${step.step + 1} failed` });
      break;
    }
    publish();
    if (stoppedByCancel) break;
  }
  const state = repo.state(id);
  const unfinished = state.steps.some((s) => s.status === 'pending' || s.status === 'cancelled');
  repo.finish(id, stopping() || stoppedByCancel || unfinished ? 'stopped' : 'completed');
  publish();
  return repo.state(id);
}
