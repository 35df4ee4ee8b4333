/** Recipes and queues of recipe steps over cells, stored so a queue resumes after a crash. */
import type { Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { ReramError } from '../../shared/errors';
import { Recipe, type QueueState, type QueueStep, parseCells } from '../../shared/recipes';
import { ownerGone } from './owner';

/** A stable key of a recipe (with its cells): the same recipe on the same resource resumes. */
export function recipeKey(recipe: Recipe): string {
  const canonical = JSON.stringify(recipe, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

interface StepRow {
  position: number;
  cell: number;
  step: number;
  procedure: string;
  status: QueueStep['status'];
  run_id: number | null;
  attempts: number;
  error: string | null;
}

export class QueueRepository {
  constructor(
    private readonly db: Database,
    private readonly pid = process.pid,
  ) {}

  saveRecipe(recipe: Recipe): void {
    this.db
      .prepare(
        'INSERT INTO recipes (name, recipe_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET recipe_json = excluded.recipe_json, updated_at = excluded.updated_at',
      )
      .run(recipe.name, JSON.stringify(recipe), new Date().toISOString());
  }

  listRecipes(): Recipe[] {
    return (
      this.db.prepare('SELECT recipe_json FROM recipes ORDER BY name').all() as Array<{ recipe_json: string }>
    )
      .map((r) => Recipe.safeParse(JSON.parse(r.recipe_json)))
      .flatMap((r) => (r.success ? [r.data] : []));
  }

  deleteRecipe(name: string): boolean {
    return this.db.prepare('DELETE FROM recipes WHERE name = ?').run(name).changes > 0;
  }

  /** A queue for a recipe: every step on a cell before the next cell. */
  create(recipe: Recipe, resource: string | null): number {
    const cells = parseCells(recipe.cells);
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            "INSERT INTO queues (name, recipe_json, recipe_key, resource, status, created_at, owner_pid, owner_host) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
          )
          .run(
            recipe.name,
            JSON.stringify(recipe),
            recipeKey(recipe),
            resource,
            new Date().toISOString(),
            this.pid,
            hostname(),
          ).lastInsertRowid,
      );
      const insert = this.db.prepare(
        "INSERT INTO queue_steps (queue_id, position, cell, step, procedure, status) VALUES (?, ?, ?, ?, ?, 'pending')",
      );
      let position = 0;
      for (const cell of cells)
        recipe.steps.forEach((step, k) =>
          insert.run(id, position++, cell, k, (step.params as { procedure: string }).procedure),
        );
      return id;
    })();
  }

  /**
   * The latest queue of this recipe on this resource that has a step left to do (cancelled,
   * failed, skipped or never run) and no live process: it resumes.
   */
  resumable(recipe: Recipe, resource: string | null): number | undefined {
    this.markInterrupted();
    const row = this.db
      .prepare(
        `SELECT id FROM queues WHERE recipe_key = ? AND coalesce(resource, '') = coalesce(?, '') AND status != 'running'
         AND EXISTS (SELECT 1 FROM queue_steps WHERE queue_id = queues.id AND status != 'completed')
         ORDER BY id DESC LIMIT 1`,
      )
      .get(recipeKey(recipe), resource) as { id: number } | undefined;
    return row?.id;
  }

  /**
   * Claims a queue for this process to resume it: every step that did not complete (cancelled,
   * failed, skipped, or left running) is to run again, in order. Refused when none is left.
   */
  claim(id: number): void {
    this.db.transaction(() => {
      const left = this.db
        .prepare("SELECT count(*) AS n FROM queue_steps WHERE queue_id = ? AND status != 'completed'")
        .get(id) as { n: number };
      if (left.n === 0) throw new ReramError('CONFLICT', `Queue ${id} has no step left to run.`);
      this.db
        .prepare(
          "UPDATE queues SET status = 'running', ended_at = NULL, owner_pid = ?, owner_host = ? WHERE id = ?",
        )
        .run(this.pid, hostname(), id);
      this.db
        .prepare(
          "UPDATE queue_steps SET status = 'pending', error = 'to run again: ' || coalesce(error, status) WHERE queue_id = ? AND status != 'completed' AND status != 'pending'",
        )
        .run(id);
    })();
  }

  recipe(id: number): Recipe {
    const row = this.db.prepare('SELECT recipe_json FROM queues WHERE id = ?').get(id) as
      { recipe_json: string } | undefined;
    if (!row) throw new ReramError('NOT_FOUND', `Queue ${id} does not exist.`);
    return Recipe.parse(JSON.parse(row.recipe_json));
  }

  state(id: number): QueueState {
    const row = this.db
      .prepare('SELECT id, name, status, resource, created_at, ended_at FROM queues WHERE id = ?')
      .get(id) as
      | {
          id: number;
          name: string;
          status: QueueState['status'];
          resource: string | null;
          created_at: string;
          ended_at: string | null;
        }
      | undefined;
    if (!row) throw new ReramError('NOT_FOUND', `Queue ${id} does not exist.`);
    const steps = (
      this.db
        .prepare(
          'SELECT position, cell, step, procedure, status, run_id, attempts, error FROM queue_steps WHERE queue_id = ? ORDER BY position',
        )
        .all(id) as StepRow[]
    ).map((s) => ({
      position: s.position,
      cell: s.cell,
      step: s.step,
      procedure: s.procedure,
      status: s.status,
      runId: s.run_id,
      attempts: s.attempts,
      error: s.error,
    }));
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      resource: row.resource,
      createdAt: row.created_at,
      endedAt: row.ended_at,
      steps,
    };
  }

  updateStep(
    id: number,
    position: number,
    patch: Partial<Pick<QueueStep, 'status' | 'runId' | 'attempts' | 'error'>>,
  ): void {
    const sets: string[] = [];
    const args: Array<string | number | null> = [];
    if (patch.status !== undefined) {
      sets.push('status = ?');
      args.push(patch.status);
    }
    if (patch.runId !== undefined) {
      sets.push('run_id = ?');
      args.push(patch.runId);
    }
    if (patch.attempts !== undefined) {
      sets.push('attempts = ?');
      args.push(patch.attempts);
    }
    if (patch.error !== undefined) {
      sets.push('error = ?');
      args.push(patch.error);
    }
    if (!sets.length) return;
    this.db
      .prepare(`UPDATE queue_steps SET ${sets.join(', ')} WHERE queue_id = ? AND position = ?`)
      .run(...args, id, position);
  }

  finish(id: number, status: Exclude<QueueState['status'], 'running'>): void {
    this.db
      .prepare('UPDATE queues SET status = ?, ended_at = ? WHERE id = ?')
      .run(status, new Date().toISOString(), id);
  }

  latest(limit = 20): QueueState[] {
    return (
      this.db.prepare('SELECT id FROM queues ORDER BY id DESC LIMIT ?').all(limit) as Array<{ id: number }>
    ).map((r) => this.state(r.id));
  }

  /** Queues whose process stopped: 'interrupted', and the step that was running is to run again. */
  markInterrupted(): number[] {
    const running = this.db
      .prepare("SELECT id, owner_pid, owner_host FROM queues WHERE status = 'running'")
      .all() as Array<{ id: number; owner_pid: number | null; owner_host: string | null }>;
    const dead = running.filter((q) => ownerGone({ pid: q.owner_pid, host: q.owner_host }, this.pid));
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const q of dead) {
        this.db.prepare("UPDATE queues SET status = 'interrupted', ended_at = ? WHERE id = ?").run(now, q.id);
        this.db
          .prepare(
            "UPDATE queue_steps SET status = 'pending', error = 'interrupted: the process stopped' WHERE queue_id = ? AND status = 'running'",
          )
          .run(q.id);
      }
    })();
    return dead.map((q) => q.id);
  }
}
