/**
 * Recipes: a named sequence of procedures run over a list of cells, unattended (docs/architecture.md §10).
 * The same JSON runs in the app's queue and from the CLI (`reram-bench run RECIPE.json RESOURCE`).
 */
import { z } from 'zod';
import { ProcedureParams, type ProcedureParamsInput } from './procedures';
import { invalidInput } from './errors';
import { param } from './params';

/** "0-15", "0,2,5-7": cell numbers, ascending and without repeats. */
export function parseCells(text: string, max = 1_000_000): number[] {
  const cells = new Set<number>();
  for (const part of text.split(/[\s,;]+/).filter(Boolean)) {
    const range = /^(\d+)(?:\s*[-–]\s*(\d+))?$/.exec(part);
    if (!range) throw invalidInput(`'${part}' is not a cell or a range (use e.g. 0-15 or 0,2,5-7)`);
    const a = Number(range[1]);
    const b = range[2] === undefined ? a : Number(range[2]);
    if (b < a) throw invalidInput(`the range ${part} runs backwards`);
    if (b > max) throw invalidInput(`cell ${b} is beyond the last cell (${max})`);
    if (b - a > 100_000) throw invalidInput(`the range ${part} is too long`);
    for (let c = a; c <= b; c++) cells.add(c);
  }
  if (cells.size === 0) throw invalidInput('no cells given');
  return [...cells].sort((x, y) => x - y);
}

export const RecipeStep = z.object({
  /** The procedure and its parameters; the cell comes from the recipe's cell list. */
  params: z
    .custom<ProcedureParamsInput>(
      (value) => Boolean(value) && typeof value === 'object',
      'a procedure and its parameters',
    )
    .superRefine((value, ctx) => {
      const parsed = ProcedureParams.safeParse({ ...(value as object), cell: 0 });
      if (parsed.success) return;
      for (const issue of parsed.error.issues)
        ctx.addIssue({
          code: 'custom',
          path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
          message: issue.message,
        });
    }),
  label: z.string().max(200).optional(),
});

export const Recipe = z.object({
  schemaVersion: z.literal(1).default(1),
  name: param(z.string().trim().min(1).max(200), { label: 'Recipe name' }),
  cells: param(
    z
      .string()
      .trim()
      .min(1)
      .refine(
        (text) => {
          try {
            parseCells(text);
            return true;
          } catch {
            return false;
          }
        },
        { message: 'cells like 0-15 or 0,2,5-7' },
      ),
    { label: 'Cells', help: 'e.g. 0-15 or 0,2,5-7; every step runs on a cell before the next cell' },
  ),
  steps: z.array(RecipeStep).min(1).max(50),
  onFailure: param(z.enum(['retry-then-skip', 'skip-cell', 'stop']).default('retry-then-skip'), {
    label: 'When a step fails',
    help: 'retry it, then skip the rest of that cell; skip the cell at once; or stop the queue',
  }),
  retries: param(z.number().int().min(0).max(5).default(1), { label: 'Retries', help: 'per failed step' }),
  cellGuard: param(z.enum(['skip', 'ask']).default('skip'), {
    label: 'When a cell is not ready',
    help: 'a step whose cell is in the wrong state (forming a formed cell, programming an unformed one): skip it, or ask (an unattended CLI run skips)',
  }),
});
export type Recipe = z.output<typeof Recipe>;
export type RecipeInput = z.input<typeof Recipe>;

/** The full parameters of one step on one cell. */
export function stepParams(recipe: Recipe, step: number, cell: number): ProcedureParams {
  return ProcedureParams.parse({ ...(recipe.steps[step]!.params as object), cell });
}

export const QUEUE_STEP_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'skipped',
  'cancelled',
] as const;
export const QUEUE_STATUSES = ['running', 'completed', 'stopped', 'failed', 'interrupted'] as const;

export const QueueStep = z.object({
  position: z.number().int(),
  cell: z.number().int(),
  step: z.number().int(),
  procedure: z.string(),
  status: z.enum(QUEUE_STEP_STATUSES),
  runId: z.number().int().nullable(),
  attempts: z.number().int(),
  error: z.string().nullable(),
});
export type QueueStep = z.infer<typeof QueueStep>;

export const QueueState = z.object({
  id: z.number().int(),
  name: z.string(),
  status: z.enum(QUEUE_STATUSES),
  resource: z.string().nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  steps: z.array(QueueStep),
});
export type QueueState = z.infer<typeof QueueState>;

/** Counts per step status, for summaries. */
export function queueCounts(state: QueueState): Record<(typeof QUEUE_STEP_STATUSES)[number], number> {
  const counts = Object.fromEntries(QUEUE_STEP_STATUSES.map((s) => [s, 0])) as Record<
    (typeof QUEUE_STEP_STATUSES)[number],
    number
  >;
  for (const step of state.steps) counts[step.status]++;
  return counts;
}
