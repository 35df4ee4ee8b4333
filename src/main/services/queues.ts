/**
 * The app's experiment queue: recipes saved in the database, one queue running at a time through
 * the instrument service (so Output OFF, Esc and the run safety apply to every step), its state
 * announced as it changes. An interrupted queue is offered for resuming.
 */
import type { QueueView } from '../../shared/api';
import { ReramError } from '../../shared/errors';
import { queueCounts, Recipe, stepParams, type RecipeInput } from '../../shared/recipes';
import type { EventHub } from './events';
import type { QueueRepository } from '../store/queues';
import type { Store } from '../store/store';
import type { InstrumentService } from './instrument-service';
import { runQueue, type StepExecutor } from './queue';
import { continuationOf } from './recorder';

interface ActiveQueue {
  id: number;
  /** Aborts the running step (output off) and stops the queue. */
  controller: AbortController;
  /** Stops the queue once the running step has finished. */
  afterStep: AbortController;
  done: Promise<void>;
}

/**
 * The one rule for which queue a start runs: a given queue id is claimed and resumed; otherwise,
 * unless `fresh`, the latest interrupted queue of this recipe on this resource is resumed (its
 * finished steps stay done); otherwise a new queue is created.
 */
export function resumeOrCreateQueue(
  repo: QueueRepository,
  recipe: Recipe | undefined,
  resource: string | null,
  options: { resume?: number | undefined; fresh?: boolean | undefined } = {},
): { id: number; resumed: boolean; finishedSteps: number } {
  const previous =
    options.resume ?? (options.fresh || recipe === undefined ? undefined : repo.resumable(recipe, resource));
  if (previous !== undefined) {
    repo.claim(previous);
    const finishedSteps = queueCounts(repo.state(previous)).completed;
    return { id: previous, resumed: true, finishedSteps };
  }
  if (recipe === undefined) throw new ReramError('INVALID_INPUT', 'Give a recipe, or the queue to resume.');
  return { id: repo.create(recipe, resource), resumed: false, finishedSteps: 0 };
}

export class QueueService {
  private active: ActiveQueue | undefined;
  private waiting: { cell: number; resolve(): void } | undefined;
  private question:
    | { position: number; cell: number; procedure: string; reason: string; answer(run: boolean): void }
    | undefined;

  constructor(
    private readonly store: Store,
    private readonly events: EventHub,
    private readonly instrument: InstrumentService,
  ) {
    store.queues.markInterrupted();
  }

  recipes(): Recipe[] {
    return this.store.queues.listRecipes();
  }

  saveRecipe(input: RecipeInput): Recipe {
    const recipe = Recipe.parse(input);
    recipe.steps.forEach((_, k) => {
      try {
        stepParams(recipe, k, 0);
      } catch (error) {
        throw new ReramError('INVALID_INPUT', `Step ${k + 1}: ${(error as Error).message}`);
      }
    });
    this.store.queues.saveRecipe(recipe);
    return recipe;
  }

  deleteRecipe(name: string): void {
    if (!this.store.queues.deleteRecipe(name)) throw new ReramError('NOT_FOUND', `No recipe '${name}'.`);
  }

  view(id: number): QueueView {
    const mine = this.active?.id === id;
    const q = mine ? this.question : undefined;
    return {
      ...this.store.queues.state(id),
      waitingForCell: mine ? (this.waiting?.cell ?? null) : null,
      question: q ? { position: q.position, cell: q.cell, procedure: q.procedure, reason: q.reason } : null,
      stopping: mine ? this.active!.afterStep.signal.aborted : false,
    };
  }

  list(limit: number): QueueView[] {
    return this.store.queues
      .latest(limit)
      .map((q) =>
        this.active?.id === q.id
          ? this.view(q.id)
          : { ...q, waitingForCell: null, question: null, stopping: false },
      );
  }

  /** Starts a recipe (or resumes queue `resume`); refuses while a queue or a run is going. */
  start(input: { recipe?: RecipeInput; resume?: number }): { id: number } {
    if (this.active) throw new ReramError('CONFLICT', `Queue ${this.active.id} is running: stop it first.`);
    const status = this.instrument.status();
    if (!status.connected)
      throw new ReramError('CONFLICT', 'Connect to an instrument first (Instrument page).');
    if (status.activeRun)
      throw new ReramError('CONFLICT', `Run ${status.activeRun.runId} is running: wait for it or cancel it.`);
    const repo = this.store.queues;
    // The page offers its interrupted queues to resume by id; a recipe started there is a new queue.
    const { id } = resumeOrCreateQueue(
      repo,
      input.resume === undefined && input.recipe ? this.saveRecipe(input.recipe) : undefined,
      status.resource,
      { resume: input.resume, fresh: true },
    );
    const controller = new AbortController();
    const afterStep = new AbortController();
    const virtual = status.virtual;
    const active: ActiveQueue = { id, controller, afterStep, done: Promise.resolve() };
    this.active = active;
    const runStep: StepExecutor = (params, signal, options) =>
      this.instrument.runToEnd(params, signal, {
        acknowledgeCellState: options.acknowledged,
        onRunCreated: options.onRunCreated,
      });
    active.done = runQueue(repo, id, runStep, {
      signal: controller.signal,
      stopAfterStep: afterStep.signal,
      checkCell: (params) => this.instrument.cellGuard(params),
      continuation: (params, runId) => continuationOf(this.store, params, runId),
      confirmCell: (step, reason, signal) =>
        new Promise<boolean>((resolve) => {
          this.question = { ...step, reason, answer: resolve };
          this.events.emit('queue.update', this.view(id));
          signal.addEventListener('abort', () => resolve(false), { once: true });
        }).finally(() => (this.question = undefined)),
      // Real probes do not move themselves: wait for the user between cells.
      beforeCell: virtual
        ? undefined
        : (cell, signal) =>
            new Promise<void>((resolve) => {
              this.waiting = { cell, resolve };
              this.events.emit('queue.update', this.view(id));
              signal.addEventListener('abort', () => resolve(), { once: true });
            }).finally(() => (this.waiting = undefined)),
      onUpdate: (state) => {
        // Ended: free the service before telling anyone, so a Resume pressed at once is taken.
        if (state.status !== 'running' && this.active === active) this.active = undefined;
        this.events.emit('queue.update', this.view(id));
      },
    })
      .catch((error: unknown) => {
        repo.finish(id, 'failed');
        this.events.emit('system.log', {
          level: 'error',
          message: `Queue ${id} stopped: ${error instanceof Error ? error.message : String(error)}`,
        });
      })
      .then(() => {
        if (this.active === active) this.active = undefined;
        this.events.emit('queue.update', this.view(id));
      });
    return { id };
  }

  /** The probes are on the cell the queue is waiting for. */
  continue(id: number): void {
    if (this.active?.id !== id || !this.waiting)
      throw new ReramError('CONFLICT', `Queue ${id} is not waiting for the probes.`);
    this.waiting.resolve();
  }

  /** The cell guard's question answered: run the step anyway, or skip it. */
  answer(id: number, position: number, run: boolean): void {
    if (this.active?.id !== id || this.question?.position !== position)
      throw new ReramError('CONFLICT', `Queue ${id} is not asking about that step.`);
    this.question.answer(run);
  }

  /**
   * Stops a queue: by default once the running step has finished (the step is not cut short, so
   * no cell is left half-formed); `now` cancels the running step (output off).
   */
  stop(id: number, now = false): void {
    if (this.active?.id !== id) throw new ReramError('NOT_FOUND', `Queue ${id} is not running.`);
    if (now) this.active.controller.abort();
    else {
      this.active.afterStep.abort();
      // Nothing is running while it waits for the probes or an answer: stop at once.
      this.waiting?.resolve();
      this.question?.answer(false);
    }
    this.events.emit('queue.update', this.view(id));
  }

  async dispose(): Promise<void> {
    this.active?.controller.abort();
    await this.active?.done;
  }
}
