/**
 * Sweeps: a grid of predictions (profiles × networks × σ scale × ADC/DAC bits × read noise), each
 * grid point one `predict` over all methods and bit widths on common chips. Results are stored
 * as each point finishes — in SQLite (the `sweeps` table) or in a JSON-lines file — so a sweep
 * stopped by Ctrl-C or kill -9 resumes where it stopped, computing nothing twice. `--shard I/N`
 * takes a deterministic slice of the grid for a cluster; `merge` joins the slices and checks that
 * they are complete and disjoint.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ReramError } from '../../shared/errors';
import { PREDICT_METHODS, worksIn } from '../../shared/quant/methods';
import { PredictionReport } from '../../shared/rca/report';
import { selectTable } from '../../shared/profile/schema';
import type { PredictPool } from '../predict/pool';
import { runPrediction } from '../predict/run';
import { loadDataset, loadModel, BUILTIN_MODELS } from '../nn/resources';
import type { Store } from '../store/store';
import { ProfileLibrary } from './profiles';
import { SweepClock, type ClockPoint } from './sweep-clock';

export const SweepSpec = z
  .object({
    name: z.string().trim().min(1).max(200).default('sweep'),
    profiles: z.array(z.string().min(1)).min(1),
    /** A profile table by kind or name (write-verify, open-loop); default: each profile's first. */
    table: z.string().optional(),
    networks: z.array(z.object({ model: z.string().min(1), data: z.string().min(1).optional() })).min(1),
    methods: z.array(z.enum(PREDICT_METHODS)).min(1).default(['float', 'linear', 'mes', 'mes-sigma']),
    bits: z.array(z.number().int().min(1).max(12)).min(1).default([2, 3, 4]),
    sigmaScales: z.array(z.number().min(0).max(100)).min(1).default([1]),
    adcBits: z.array(z.number().int().min(2).max(16).nullable()).min(1).default([null]),
    dacBits: z.array(z.number().int().min(1).max(16).nullable()).min(1).default([null]),
    readNoise: z.array(z.number().min(0).max(1)).min(1).default([0]),
    scheme: z.enum(['differential', 'bias']).default('differential'),
    /** Fixed chips per point; without it chips are added until ±untilCi (pp), at most maxChips. */
    trials: z.number().int().min(1).max(1000).optional(),
    untilCi: z.number().min(0.01).max(50).default(0.5),
    maxChips: z.number().int().min(2).max(1000).default(40),
    minChips: z.number().int().min(2).max(1000).default(5),
    limit: z.number().int().positive().optional(),
    seed: z.number().int().min(0).default(1),
  })
  .strict();
export type SweepSpec = z.output<typeof SweepSpec>;
export type SweepSpecInput = z.input<typeof SweepSpec>;

export interface SweepPoint {
  index: number;
  key: string;
  profile: string;
  model: string;
  data: string | undefined;
  sigmaScale: number;
  adcBits: number | null;
  dacBits: number | null;
  readNoise: number;
}

export interface SweepResult {
  sweep: string;
  point: SweepPoint;
  report: PredictionReport;
  finishedAt: string;
}

/** A stable key for a spec: the same spec (in any key order) resumes the same sweep. */
export function specKey(spec: SweepSpec): string {
  const canonical = JSON.stringify(spec, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Every grid point, in a fixed order (the order shards are cut from). */
export function gridPoints(spec: SweepSpec): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const network of spec.networks)
    for (const profile of spec.profiles)
      for (const sigmaScale of spec.sigmaScales)
        for (const adcBits of spec.adcBits)
          for (const dacBits of spec.dacBits)
            for (const readNoise of spec.readNoise) {
              const key = JSON.stringify([
                network.model,
                network.data ?? null,
                profile,
                sigmaScale,
                adcBits,
                dacBits,
                readNoise,
              ]);
              points.push({
                index: points.length,
                key,
                profile,
                model: network.model,
                data: network.data,
                sigmaScale,
                adcBits,
                dacBits,
                readNoise,
              });
            }
  return points;
}

export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 0 || index >= count)
    throw new ReramError('INVALID_INPUT', `--shard must be I/N with 0 ≤ I < N (e.g. 0/4), got '${text}'.`);
  return { index, count };
}

/** Where finished points are kept: the database's `sweeps` table, or a JSON-lines file. */
export interface SweepSink {
  done(sweep: string): Set<string>;
  save(result: SweepResult): void;
  results(sweep: string): SweepResult[];
}

export function storeSink(store: Store): SweepSink {
  return {
    done: (sweep) => new Set(store.sweeps.results(sweep).map((r) => r.pointKey)),
    save: (result) =>
      store.sweeps.save(result.sweep, result.point.key, result.point, result.report, result.finishedAt),
    results: (sweep) =>
      store.sweeps.results(sweep).map((r) => ({
        sweep,
        point: r.point as SweepPoint,
        report: PredictionReport.parse(r.report),
        finishedAt: r.finishedAt,
      })),
  };
}

/** One JSON line per finished point; a line cut by a crash is ignored (and recomputed). */
export function fileSink(path: string): SweepSink {
  const read = (): SweepResult[] => {
    if (!existsSync(path)) return [];
    const out: SweepResult[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const value = JSON.parse(line) as SweepResult;
        if (value && typeof value.sweep === 'string' && value.point && value.report)
          out.push({ ...value, report: PredictionReport.parse(value.report) });
      } catch {
        // a torn last line: that point is simply not done
      }
    }
    return out;
  };
  return {
    done: (sweep) =>
      new Set(
        read()
          .filter((r) => r.sweep === sweep)
          .map((r) => r.point.key),
      ),
    save: (result) => appendFileSync(path, `${JSON.stringify(result)}\n`),
    results: (sweep) => read().filter((r) => r.sweep === sweep),
  };
}

export interface SweepProgress {
  done: number;
  total: number;
  skipped: number;
  elapsedS: number;
  remainingS: number | null;
  message: string;
}

export interface RunSweepOptions {
  spec: SweepSpec;
  sink: SweepSink;
  store: Store;
  shard?: { index: number; count: number };
  threads?: number;
  /** Spread each point's chips over these workers (else in this thread). */
  pool?: PredictPool;
  device?: 'cpu' | 'cuda';
  signal?: AbortSignal;
  onProgress?(progress: SweepProgress): void;
  onResult?(result: SweepResult): void;
}

export async function runSweep(
  options: RunSweepOptions,
): Promise<{ sweep: string; computed: number; skipped: number; total: number }> {
  const { spec, sink } = options;
  const sweep = specKey(spec);
  const shard = options.shard ?? { index: 0, count: 1 };
  const mine = gridPoints(spec).filter((p) => p.index % shard.count === shard.index);
  const done = sink.done(sweep);
  const todo = mine.filter((p) => !done.has(p.key));
  const library = new ProfileLibrary(options.store);
  const started = performance.now();
  const clock = new SweepClock();
  const sizes = new Map<string, number>();
  const clockPoint = (p: SweepPoint): ClockPoint => {
    if (!sizes.has(p.model)) {
      let size = 0;
      try {
        size = loadModel(p.model).bytes.length;
      } catch {
        // An unreadable model fails with its own error when its point runs.
      }
      sizes.set(p.model, size);
    }
    return {
      model: p.model,
      monteCarlo: spec.trials !== 1 && (p.sigmaScale > 0 || p.readNoise > 0),
      size: sizes.get(p.model)!,
    };
  };
  // A resumed sweep starts with the times of the points it already has.
  for (const previous of done.size ? sink.results(sweep) : [])
    clock.record(clockPoint(previous.point), previous.report.elapsedS);
  let computed = 0;
  for (const [position, point] of todo.entries()) {
    if (options.signal?.aborted) break;
    const pointStarted = performance.now();
    const here = clockPoint(point);
    const rest = todo.slice(position + 1).map(clockPoint);
    const profile = library.get(point.profile);
    const table = selectTable(profile, spec.table);
    const model = loadModel(point.model);
    const builtin = point.model.startsWith('builtin:')
      ? BUILTIN_MODELS[point.model.slice(8)]?.data
      : undefined;
    const dataset = loadDataset(point.data ?? `builtin:${builtin ?? 'mnist'}`);
    const progress = (fraction: number, message: string) =>
      options.onProgress?.({
        done: computed,
        total: todo.length,
        skipped: mine.length - todo.length,
        elapsedS: (performance.now() - started) / 1000,
        remainingS:
          clock.remaining(here, fraction, rest) ??
          (fraction > 0
            ? ((performance.now() - pointStarted) / 1000 / fraction) * (todo.length - computed - fraction)
            : null),
        message: `${point.model} · ${profile.name} · σ×${point.sigmaScale}${point.adcBits ? ` · ADC ${point.adcBits}` : ''}: ${message}`,
      });
    progress(0, 'starting');
    const report = await runPrediction(
      {
        model: model.bytes,
        modelName: model.name,
        dataset,
        table,
        profileName: profile.name,
        settings: {
          methods: spec.methods.filter((m) => worksIn(m, spec.scheme)),
          bits: spec.bits.filter((b) => 2 ** b <= table.levels.length),
          scheme: spec.scheme,
          sigmaScale: point.sigmaScale,
          adcBits: point.adcBits,
          dacBits: point.dacBits,
          readNoise: point.readNoise,
          ...(spec.trials !== undefined ? { trials: spec.trials } : {}),
          untilCi: spec.untilCi,
          maxChips: spec.maxChips,
          minChips: spec.minChips,
          seed: spec.seed,
          ...(spec.limit !== undefined ? { limit: spec.limit } : {}),
        },
      },
      {
        ...(options.signal ? { cancel: options.signal } : {}),
        onProgress: (p) => progress(p.fraction, p.message),
      },
      { pool: options.pool, threads: options.threads, device: options.device },
    );
    clock.record(here, (performance.now() - pointStarted) / 1000);
    const result: SweepResult = { sweep, point, report, finishedAt: new Date().toISOString() };
    sink.save(result);
    computed++;
    options.onResult?.(result);
  }
  return { sweep, computed, skipped: mine.length - todo.length, total: mine.length };
}

/** Joins shard files of one sweep, checking that every point is there exactly once. */
export function mergeShards(spec: SweepSpec, files: readonly string[]): SweepResult[] {
  const sweep = specKey(spec);
  const expected = gridPoints(spec);
  const seen = new Map<string, { result: SweepResult; file: string }>();
  for (const file of files) {
    for (const result of fileSink(file).results(sweep)) {
      const previous = seen.get(result.point.key);
      if (previous)
        throw new ReramError(
          'CONFLICT',
          `Point ${result.point.index} (${result.point.key}) is in both ${previous.file} and ${file}: the shards overlap.`,
        );
      seen.set(result.point.key, { result, file });
    }
  }
  const missing = expected.filter((p) => !seen.has(p.key));
  if (missing.length)
    throw new ReramError(
      'INVALID_INPUT',
      `${missing.length} of ${expected.length} points are missing (e.g. point ${missing[0]!.index}: ${missing[0]!.key}); run the shards that hold them.`,
      { missing: missing.map((p) => p.index) },
    );
  const foreign = [...seen.keys()].filter((k) => !expected.some((p) => p.key === k));
  if (foreign.length)
    throw new ReramError('INVALID_INPUT', `${foreign.length} results do not belong to this sweep.`);
  return expected.map((p) => seen.get(p.key)!.result);
}
