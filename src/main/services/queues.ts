/**
 * The app's experiment queue: recipes saved in the database, one queue running at a time through
 * the instrument service (so Output OFF, Esc and the run safety apply to every step), its state
 * announced as it changes. An interrupted queue is offered for resuming.
 */
import type { QueueView } from '../../shared/api';
import { ReramError } from '../../shared/errors';
import { Recipe, stepParams, type RecipeInput } from '../../shared/recipes';
import type { EventHub } from '../api/events';
import type { Store } from '../store/store';
import type { InstrumentService } from './instrument-service';
import { runQueue } from './queue';

export class QueueService {
  private active: { id: number; controller: AbortController; done: Promise<void> } | undefined;
  private waiting: { cell: number; resolve(): void } | undefined;

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
    return {
      ...this.store.queues.state(id),
      waitingForCell: this.active?.id === id ? (this.waiting?.cell ?? null) : null,
    };
  }

  list(limit: number): QueueView[] {
    return this.store.queues
      .latest(limit)
      .map((q) => ({ ...q, waitingForCell: null }))
      .map((q) => (this.active?.id === q.id ? this.view(q.id) : q));
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
    let id: number;
    if (input.resume !== undefined) {
      const state = repo.state(input.resume);
      if (state.status === 'completed')
        throw new ReramError('CONFLICT', `Queue ${input.resume} has finished.`);
      repo.claim(input.resume);
      id = input.resume;
    } else if (input.recipe) {
      const recipe = this.saveRecipe(input.recipe);
      id = repo.create(recipe, status.resource);
    } else throw new ReramError('INVALID_INPUT', 'Give a recipe, or the queue to resume.');
    const controller = new AbortController();
    const virtual = status.virtual;
    const active = { id, controller, done: Promise.resolve() };
    this.active = active;
    active.done = runQueue(repo, id, (params, signal) => this.instrument.runToEnd(params, signal), {
      signal: controller.signal,
      // Real probes do not move themselves: wait for the user between cells.
      beforeCell: virtual
        ? undefined
        : (cell, signal) =>
            new Promise<void>((resolve) => {
              this.waiting = { cell, resolve };
              this.events.emit('queue.update', this.view(id));
              signal.addEventListener('abort', () => resolve(), { once: true });
            }).finally(() => (this.waiting = undefined)),
      onUpdate: () => this.events.emit('queue.update', this.view(id)),
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

  stop(id: number): void {
    if (this.active?.id !== id) throw new ReramError('NOT_FOUND', `Queue ${id} is not running.`);
    this.active.controller.abort();
  }

  async dispose(): Promise<void> {
    this.active?.controller.abort();
    await this.active?.done;
  }
}
