/**
 * The experiment queue: a recipe's steps over its cells, one run each, unattended. A failed step
 * is retried, then the rest of its cell skipped (or the queue stopped, as the recipe says); every
 * step's outcome is stored as it ends, so a queue that dies resumes at its next unfinished step.
 * The same runner serves the app (through the instrument service) and the CLI (`run`).
 */
import type { ProcedureParams } from '../../shared/procedures';
import { stepParams, type QueueState, type Recipe } from '../../shared/recipes';
import type { QueueRepository } from '../store/queues';

export interface StepOutcome {
  runId: number | null;
  status: 'completed' | 'failed' | 'cancelled' | 'interrupted';
  error: string | null;
}

/** Runs one procedure to its end (the output is off again when it returns). */
export type StepExecutor = (params: ProcedureParams, signal: AbortSignal) => Promise<StepOutcome>;

export interface QueueHooks {
  signal?: AbortSignal;
  onUpdate?(state: QueueState): void;
  /** Called before the first step on a new cell (real probes must move); resolve to go on. */
  beforeCell?(cell: number, signal: AbortSignal): Promise<void>;
}

export async function runQueue(
  repo: QueueRepository,
  id: number,
  execute: StepExecutor,
  hooks: QueueHooks = {},
): Promise<QueueState> {
  const recipe: Recipe = repo.recipe(id);
  const signal = hooks.signal ?? new AbortController().signal;
  const publish = () => hooks.onUpdate?.(repo.state(id));
  publish();
  let lastCell: number | undefined;
  for (const step of repo.state(id).steps) {
    if (signal.aborted) break;
    if (step.status !== 'pending') {
      if (step.status === 'completed') lastCell = step.cell;
      continue;
    }
    // Skipped while we ran (a failure earlier on this cell)?
    if (repo.state(id).steps[step.position]!.status !== 'pending') continue;
    if (step.cell !== lastCell) {
      await hooks.beforeCell?.(step.cell, signal);
      if (signal.aborted) break;
      lastCell = step.cell;
    }
    let attempts = step.attempts;
    for (;;) {
      attempts++;
      repo.updateStep(id, step.position, { status: 'running', attempts, error: null });
      publish();
      let outcome: StepOutcome;
      try {
        outcome = await execute(stepParams(recipe, step.step, step.cell), signal);
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
        repo.updateStep(id, step.position, {
          status: 'cancelled',
          runId: outcome.runId,
          error: outcome.error,
        });
        break;
      }
      const retry = recipe.onFailure === 'retry-then-skip' && attempts <= recipe.retries;
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
  }
  const state = repo.state(id);
  const unfinished = state.steps.some((s) => s.status === 'pending' || s.status === 'cancelled');
  repo.finish(id, signal.aborted || unfinished ? 'stopped' : 'completed');
  publish();
  return repo.state(id);
}
