/**
 * `sweep SPEC.json`: a grid of predictions stored as each point finishes (database or
 * --out FILE.jsonl), resuming where it stopped; `--shard I/N` for clusters and `sweep merge`
 * to join the shards. `study [--quick]`: the seed study's design on top of it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ReramError } from '../../../shared/errors';
import { formatZodIssues } from '../../../shared/zod-format';
import { readUserFile } from '../../files';
import {
  fileSink,
  gridPoints,
  mergeShards,
  parseShard,
  runSweep,
  specKey,
  storeSink,
  SweepSpec,
  type SweepProgress,
  type SweepResult,
  type SweepSink,
} from '../../services/sweep';
import { defaultPoolSize, PredictPool } from '../../predict/pool';
import { headline, missingPoints, studyRows, studySpec, writeStudy } from '../../services/study';
import { openCliStore } from '../db';
import { formatTable, log, printJson, printLine, UsageError } from '../output';
import { parseDevice, parsePositiveInt } from '../parse';

function readSpec(path: string): SweepSpec {
  const text = readUserFile(path, { what: 'sweep spec', maxBytes: 1024 * 1024, encoding: 'utf8' });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ReramError('INVALID_INPUT', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = SweepSpec.safeParse(raw);
  if (!parsed.success) throw new ReramError('INVALID_INPUT', `${path}: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

const minutes = (s: number | null) =>
  s === null ? '…' : s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(s < 600 ? 1 : 0)} min`;

/** Progress on stderr: a line per finished point with the time left, and a live line on a terminal. */
function progressReporter(prefix: string) {
  let lastLog = 0;
  return (p: SweepProgress) => {
    const now = Date.now();
    const line = `${prefix}: point ${p.done + 1 + p.skipped}/${p.total + p.skipped} · ${p.message} · ${minutes(p.remainingS)} left`;
    if (process.stderr.isTTY)
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
    else if (now - lastLog > 10_000) {
      lastLog = now;
      log(line);
    }
  };
}

/** --workers and --threads as run options (a pool when more than one worker). */
function poolOptions(options: { workers?: string; threads?: string; device?: string }): {
  pool?: PredictPool;
  threads?: number;
  device: 'cpu' | 'cuda';
} {
  const workers =
    options.workers !== undefined
      ? parsePositiveInt(options.workers, '--workers')
      : defaultPoolSize().workers;
  const threads = options.threads ? parsePositiveInt(options.threads, '--threads') : undefined;
  const device = parseDevice(options.device ?? 'cpu');
  return {
    ...(workers > 1 ? { pool: new PredictPool({ workers, device, ...(threads ? { threads } : {}) }) } : {}),
    ...(threads ? { threads } : {}),
    device,
  };
}

function sigintController(): AbortController {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    if (process.stderr.isTTY) process.stderr.write('\n');
    log('stopping: finished points are kept; run the same command again to resume');
    controller.abort();
  });
  return controller;
}

function summaryRows(results: readonly SweepResult[]) {
  return results.map((r) => {
    const best = r.report.results
      .filter((x) => x.method !== 'float')
      .reduce((a, b) => (b.mean > a.mean ? b : a), r.report.results[0]!);
    const float = r.report.results.find((x) => x.method === 'float');
    return [
      r.point.index,
      r.point.model,
      r.point.profile,
      r.point.sigmaScale,
      r.point.adcBits ?? 'ideal',
      float ? `${(100 * float.mean).toFixed(2)} %` : '',
      `${best.method}${best.bits !== null ? ` ${best.bits}-bit` : ''} ${(100 * best.mean).toFixed(2)} %`,
      r.report.chips.count,
    ] as Array<string | number>;
  });
}

export function registerSweepCommands(program: Command): void {
  const sweep = program
    .command('sweep')
    .description(
      'run a grid of predictions (profiles × networks × σ scale × ADC/DAC bits × read noise; all methods and bits on common chips), stored as each point finishes and resumed where it stopped',
    )
    .argument('[spec]', 'SPEC.json (see docs/cluster.md)')
    .option('--out <file.jsonl>', 'keep results in this JSON-lines file (default: the database)')
    .option('--shard <I/N>', 'compute only slice I of N (0-based) of the grid')
    .option('--device <cpu|cuda>', 'where ONNX Runtime runs (cuda: an NVIDIA GPU, where installed)', 'cpu')
    .option('--workers <n>', 'worker threads to spread chips over (default: one per core)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads per worker (default: cores ÷ workers)')
    .option('--db <file>', 'SQLite database (profiles; results unless --out)')
    .option('--dry-run', 'list the grid points of this spec (and shard) and exit')
    .option('--json', 'print the results as JSON when done')
    .enablePositionalOptions()
    .action(
      async (
        specPath: string | undefined,
        options: {
          out?: string;
          shard?: string;
          threads?: string;
          workers?: string;
          device?: string;
          db?: string;
          dryRun?: boolean;
          json?: boolean;
        },
      ) => {
        if (!specPath)
          throw new UsageError('sweep needs a SPEC.json (or: sweep merge SPEC.json SHARD.jsonl…)');
        const spec = readSpec(specPath);
        const shard = options.shard ? parseShard(options.shard) : undefined;
        if (options.dryRun) {
          const points = gridPoints(spec).filter((p) => !shard || p.index % shard.count === shard.index);
          if (options.json) return printJson({ sweep: specKey(spec), points });
          printLine(
            formatTable(
              ['point', 'model', 'profile', 'σ ×', 'ADC', 'DAC', 'read noise'],
              points.map((p) => [
                p.index,
                p.model,
                p.profile,
                p.sigmaScale,
                p.adcBits ?? 'ideal',
                p.dacBits ?? 'ideal',
                p.readNoise,
              ]),
            ),
          );
          return;
        }
        const store = openCliStore(options.db);
        const workers = poolOptions(options);
        try {
          const sink: SweepSink = options.out ? fileSink(options.out) : storeSink(store);
          const controller = sigintController();
          log(
            `sweep ${specKey(spec)} (${spec.name}): ${gridPoints(spec).length} points${shard ? `, shard ${shard.index}/${shard.count}` : ''}; results in ${options.out ?? 'the database'}`,
          );
          const outcome = await runSweep({
            spec,
            sink,
            store,
            ...(shard ? { shard } : {}),
            ...workers,
            signal: controller.signal,
            onProgress: progressReporter('sweep'),
            onResult: (r) => {
              if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
              log(
                `sweep: point ${r.point.index} done (${r.point.model} · ${r.point.profile} · σ×${r.point.sigmaScale}, ${r.report.chips.count} chips, ${r.report.elapsedS.toFixed(1)} s)`,
              );
            },
          });
          if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
          log(
            `sweep: ${outcome.computed} computed, ${outcome.skipped} already done, of ${outcome.total}${shard ? ` in shard ${shard.index}/${shard.count}` : ''}`,
          );
          if (controller.signal.aborted)
            throw new ReramError('CANCELLED', 'sweep stopped; run it again to resume');
          const mine = new Set(
            gridPoints(spec)
              .filter((p) => !shard || p.index % shard.count === shard.index)
              .map((p) => p.key),
          );
          const results = sink
            .results(outcome.sweep)
            .filter((r) => mine.has(r.point.key))
            .sort((a, b) => a.point.index - b.point.index);
          if (options.json) return printJson({ sweep: outcome.sweep, spec, results });
          printLine(
            formatTable(
              ['point', 'model', 'profile', 'σ ×', 'ADC', 'float', 'best', 'chips'],
              summaryRows(results),
            ),
          );
        } finally {
          await workers.pool?.close();
          store.close();
        }
      },
    );
  registerSweepMergeCommand(sweep);
  registerStudyCommand(program);
}

function registerSweepMergeCommand(sweep: Command): void {
  sweep
    .command('merge')
    .description('join shard files of one sweep, checking that the slices are complete and disjoint')
    .argument('<spec>', 'the SPEC.json the shards ran')
    .argument('<shards...>', 'the shards’ JSON-lines files')
    .option('--out <file.jsonl>', 'write the merged results here (default: stdout)')
    .action((specPath: string, shards: string[], options: { out?: string }) => {
      const spec = readSpec(specPath);
      for (const file of shards)
        if (!existsSync(file)) throw new ReramError('NOT_FOUND', `Shard file ${file} does not exist.`);
      const merged = mergeShards(spec, shards);
      const text = merged.map((r) => JSON.stringify(r)).join('\n') + '\n';
      if (options.out) {
        writeFileSync(options.out, text);
        log(`sweep merge: ${merged.length} points from ${shards.length} shards → ${options.out}`);
      } else process.stdout.write(text);
    });
}

function registerStudyCommand(program: Command): void {
  program
    .command('study')
    .description(
      'the seed study in one command: bundled networks × presets × bits 2–5 × methods × σ scale {0, 0.5, 1}, paired on common chips; writes summary.md, results.csv and plots; resumes',
    )
    .option('--quick', 'one network, 500 images, bits 2–4, σ × {0, 1}, 3 chips (under a minute)')
    .option('--report', 'write the report from the points done so far, computing nothing (marked partial)')
    .option('--out <dir>', 'output folder', 'study')
    .option('--device <cpu|cuda>', 'where ONNX Runtime runs (cuda: an NVIDIA GPU, where installed)', 'cpu')
    .option('--workers <n>', 'worker threads to spread chips over (default: one per core)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads per worker (default: cores ÷ workers)')
    .option('--db <file>', 'SQLite database (profiles)')
    .action(
      async (options: {
        quick?: boolean;
        report?: boolean;
        out: string;
        threads?: string;
        workers?: string;
        db?: string;
      }) => {
        const spec = studySpec(Boolean(options.quick));
        const outDir = resolve(options.out);
        const command = `reram-bench study${options.quick ? ' --quick' : ''}`;
        const resultsFile = join(outDir, `results-${specKey(spec)}.jsonl`);
        // The summary, CSV and plots from the points in the results file (marked partial if some are missing).
        const report = () => {
          const results = fileSink(resultsFile)
            .results(specKey(spec))
            .sort((a, b) => a.point.index - b.point.index);
          if (!results.length)
            throw new UsageError(`no study points in ${resultsFile} yet: run \`${command}\` first`);
          const total = gridPoints(spec).length;
          const missing = missingPoints(spec, results);
          const files = writeStudy(outDir, spec, results, {
            command,
            ...(missing.length ? { partial: { done: results.length, total, missing } } : {}),
          });
          log(
            `study: ${results.length} of ${total} points; wrote ${files.map((f) => f.slice(outDir.length + 1)).join(', ')} in ${options.out}`,
          );
          const head = headline(studyRows(results));
          printLine(
            `MES-σ vs linear: significantly better at ${head.positive.length} of ${head.compared.length} points, significantly worse at ${head.negative.length}${missing.length ? ' (partial)' : ''}. See ${join(options.out, 'summary.md')}.`,
          );
        };
        if (options.report) {
          report();
          return;
        }
        const store = openCliStore(options.db);
        const workers = poolOptions(options);
        try {
          mkdirSync(outDir, { recursive: true });
          const sink = fileSink(resultsFile);
          const controller = sigintController();
          log(`study: ${gridPoints(spec).length} points; results kept in ${resultsFile} (resumable)`);
          await runSweep({
            spec,
            sink,
            store,
            ...workers,
            signal: controller.signal,
            onProgress: progressReporter('study'),
            onResult: (r) => {
              if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
              log(
                `study: ${r.point.model} · ${r.point.profile} · σ×${r.point.sigmaScale} done (${r.report.chips.count} chip${r.report.chips.count === 1 ? '' : 's'}, ${r.report.elapsedS.toFixed(1)} s)`,
              );
            },
          });
          if (controller.signal.aborted)
            throw new ReramError('CANCELLED', 'study stopped; run it again to resume');
          report();
        } finally {
          await workers.pool?.close();
          store.close();
        }
      },
    );
}
