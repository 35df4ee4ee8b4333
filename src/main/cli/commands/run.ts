/** `run RECIPE.json RESOURCE`: a recipe's steps over its cells, unattended; resumes after a crash. */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ReramError } from '../../../shared/errors';
import { queueCounts, Recipe, stepParams, type QueueState } from '../../../shared/recipes';
import { formatZodIssues } from '../../../shared/zod-format';
import { readUserFile } from '../../files';
import { installProcessSafety, safeAll } from '../../services/bench';
import { continuationOf, recordRun } from '../../services/recorder';
import { runQueue } from '../../services/queue';
import { resumeOrCreateQueue } from '../../services/queues';
import { cellGuardReason, sampleLabel } from '../../../shared/cell-guard';
import { addSampleOptions, openBench } from '../sample-options';
import { addConnectionOptions } from '../connection-options';
import { EXIT, formatTable, log, printJson, printLine } from '../output';

export function readRecipe(path: string): Recipe {
  const text = readUserFile(path, { what: 'recipe', maxBytes: 1024 * 1024, encoding: 'utf8' });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ReramError('INVALID_INPUT', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = Recipe.safeParse(raw);
  if (!parsed.success) throw new ReramError('INVALID_INPUT', `${path}: ${formatZodIssues(parsed.error)}`);
  // Every step, checked as it will run (the cell is filled in per cell).
  parsed.data.steps.forEach((_, k) => {
    try {
      stepParams(parsed.data, k, 0);
    } catch (error) {
      throw new ReramError('INVALID_INPUT', `${path}: step ${k + 1}: ${(error as Error).message}`);
    }
  });
  return parsed.data;
}

export function queueTable(state: QueueState): string {
  return formatTable(
    ['cell', 'step', 'procedure', 'status', 'run', 'attempts', 'note'],
    state.steps.map((s) => [
      s.cell,
      s.step + 1,
      s.procedure,
      s.status,
      s.runId ?? '',
      s.attempts,
      s.error ?? '',
    ]),
  );
}

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description(
      'run a recipe (a sequence of procedures over a list of cells) unattended; the same command resumes an interrupted queue at its next unfinished step',
    )
    .argument('<recipe>', 'RECIPE.json (as the app saves it; see docs/bench-setup.md)')
    .argument('<resource>', 'the instrument, as for characterize')
    .option('--fresh', 'start a new queue even if this recipe was interrupted on this resource')
    .option('--no-prompt', 'on a real instrument, do not stop for the probes between cells')
    .option('--db <file>', 'SQLite database (default: the OS user-data folder)')
    .option('--json', 'print the queue as JSON when it ends');
  addSampleOptions(command);
  addConnectionOptions(command).action(runAction);
}

async function runAction(recipePath: string, resource: string, options: Record<string, unknown>) {
  const recipe = readRecipe(recipePath);
  const { store, smu, sample } = await openBench(resource, options);
  installProcessSafety({ handleSignals: false, beforeExit: () => store.close() });
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log(`${signal}: stopping after the output is off; run the same command to resume`);
      controller.abort();
    } else void safeAll().finally(() => process.exit(EXIT.cancelled));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const repo = store.queues;
    const { id, resumed, finishedSteps } = resumeOrCreateQueue(repo, recipe, resource, {
      fresh: options.fresh === true,
    });
    log(
      resumed
        ? `queue ${id} (${recipe.name}): resuming after ${finishedSteps} finished step(s); every other step runs again`
        : `queue ${id} (${recipe.name}): ${repo.state(id).steps.length} steps on ${smu.identity.model} at ${resource}`,
    );
    log(`sample: ${sampleLabel(sample)}`);
    const interactive = options.prompt !== false && process.stdin.isTTY === true;
    const prompt = !smu.virtual && interactive;
    if (!smu.virtual && !prompt)
      log('note: a real instrument cannot move probes; the cell numbers only label the runs');
    let last = '';
    const state = await runQueue(
      repo,
      id,
      async (params, signal, { acknowledged, onRunCreated }) => {
        const { runId, result } = await recordRun(store, smu, params, sample, {
          signal,
          log,
          acknowledgeCellState: acknowledged,
          onRunCreated,
        });
        return {
          runId,
          status:
            result.status === 'completed'
              ? 'completed'
              : result.status === 'cancelled'
                ? 'cancelled'
                : 'failed',
          error: result.error?.message ?? null,
        };
      },
      {
        signal: controller.signal,
        checkCell: (params) => cellGuardReason(params.procedure, store.cells.state(sample, params.cell)),
        continuation: (params, runId) => continuationOf(store, params, runId),
        // Unattended (no terminal), a step the cell is not ready for is skipped.
        confirmCell: interactive
          ? async (step, reason) => {
              const rl = createInterface({ input: process.stdin, output: process.stderr });
              try {
                const answer = await rl.question(`${reason}. Run step ${step.step + 1} anyway? [y/N] `);
                return /^y(es)?$/i.test(answer.trim());
              } finally {
                rl.close();
              }
            }
          : undefined,
        beforeCell: prompt
          ? async (cell) => {
              const rl = createInterface({ input: process.stdin, output: process.stderr });
              try {
                await rl.question(`Move the probes to cell ${cell}, then press Enter (Ctrl-C stops) `);
              } finally {
                rl.close();
              }
            }
          : undefined,
        onUpdate: (s) => {
          const running = s.steps.find((x) => x.status === 'running');
          const line = running
            ? `queue ${id}: cell ${running.cell}, step ${running.step + 1}/${recipe.steps.length} ${running.procedure}${running.attempts > 1 ? ` (attempt ${running.attempts})` : ''}`
            : '';
          if (line && line !== last) log(line);
          last = line;
        },
      },
    );
    const counts = queueCounts(state);
    log(
      `queue ${id} ${state.status}: ${counts.completed} completed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.pending + counts.cancelled} not run`,
    );
    if (options.json) printJson(state);
    else printLine(queueTable(state));
    process.exitCode =
      state.status === 'completed' && counts.completed === state.steps.length
        ? EXIT.ok
        : controller.signal.aborted
          ? EXIT.cancelled
          : EXIT.failure;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await smu.close();
    store.close();
  }
}
