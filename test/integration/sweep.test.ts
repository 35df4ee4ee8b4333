import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/main/store/store';
import { runCli, startCli } from '../helpers/cli';
import { tempDbPath } from '../helpers/temp';

/** A small grid: 2 presets × σ {0.5, 1} = 4 points, each 2 methods × 2 bit widths on 2 chips. */
const SPEC = {
  name: 'test sweep',
  profiles: ['AlOx/HfO2', 'EpiRAM'],
  networks: [{ model: 'builtin:lenet5-fashion' }],
  methods: ['linear', 'mes'],
  bits: [2, 3],
  sigmaScales: [0.5, 1],
  trials: 2,
  // Resume, shards and merge are about bookkeeping, not accuracy: 100 test images suffice.
  limit: 100,
};

function setup() {
  const db = tempDbPath();
  const dir = dirname(db);
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(SPEC));
  return { db, dir, spec };
}

interface Line {
  sweep: string;
  point: { index: number; key: string };
  report: { results: Array<{ method: string; bits: number | null; accuracies: number[] }> };
}
const readLines = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);
const answers = (lines: Line[]) =>
  Object.fromEntries(
    lines.map((l) => [l.point.key, l.report.results.map((r) => [r.method, r.bits, r.accuracies])]),
  );

describe('sweep: stored as points finish, resumed after kill -9, sharded and merged', () => {
  it('after kill -9 the same command resumes: nothing computed twice, nothing lost, the same answers as one uninterrupted run', async () => {
    const { db, dir, spec } = setup();
    const out = join(dir, 'results.jsonl');
    // Killed as soon as its first point is stored.
    const first = await startCli(
      ['sweep', spec, '--out', out, '--db', db, '--threads', '1'],
      /point \d+ done/,
      {
        stream: 'stderr',
        timeoutMs: 120_000,
      },
    );
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const afterKill = readLines(out);
    expect(afterKill.length).toBeGreaterThanOrEqual(1);
    expect(afterKill.length).toBeLessThan(4);

    const resumed = await runCli(['sweep', spec, '--out', out, '--db', db, '--threads', '1'], {
      timeoutMs: 180_000,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(
      `${4 - afterKill.length} computed, ${afterKill.length} already done, of 4`,
    );
    const all = readLines(out);
    expect(all).toHaveLength(4);
    expect(new Set(all.map((l) => l.point.key)).size).toBe(4);
    // What was stored before the kill is unchanged.
    expect(all.slice(0, afterKill.length)).toEqual(afterKill);

    // An uninterrupted run into the database gives identical accuracies, point by point.
    const whole = await runCli(['sweep', spec, '--db', db, '--threads', '1', '--json'], {
      timeoutMs: 180_000,
    });
    expect(whole.code, whole.stderr).toBe(0);
    const fromDb = JSON.parse(whole.stdout) as { results: Line[] };
    expect(answers(fromDb.results)).toEqual(answers(all));
    const store = new Store(db);
    try {
      expect(store.sweeps.results(all[0]!.sweep)).toHaveLength(4);
    } finally {
      store.close();
    }
    // Run again: everything is already done.
    const again = await runCli(['sweep', spec, '--db', db], { timeoutMs: 60_000 });
    expect(again.stderr).toContain('0 computed, 4 already done, of 4');
  }, 400_000);

  it('shards run as separate processes cover the grid disjointly, and merge checks completeness', async () => {
    const { db, dir, spec } = setup();
    const shard = (i: number) => join(dir, `shard-${i}.jsonl`);
    const runs = await Promise.all(
      [0, 1].map((i) =>
        runCli(['sweep', spec, '--shard', `${i}/2`, '--out', shard(i), '--db', db, '--threads', '1'], {
          timeoutMs: 240_000,
        }),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(readLines(shard(0)).map((l) => l.point.index)).toEqual([0, 2]);
    expect(readLines(shard(1)).map((l) => l.point.index)).toEqual([1, 3]);

    const merged = join(dir, 'merged.jsonl');
    const merge = await runCli(['sweep', 'merge', spec, shard(0), shard(1), '--out', merged]);
    expect(merge.code, merge.stderr).toBe(0);
    expect(readLines(merged).map((l) => l.point.index)).toEqual([0, 1, 2, 3]);

    const incomplete = await runCli(['sweep', 'merge', spec, shard(0)]);
    expect(incomplete.code).toBe(2);
    expect(incomplete.stderr).toMatch(/2 of 4 points are missing/);
    const overlapping = await runCli(['sweep', 'merge', spec, shard(0), shard(1), merged]);
    expect(overlapping.code).toBe(1);
    expect(overlapping.stderr).toMatch(/shards overlap/);
    expect(`${incomplete.stderr}${overlapping.stderr}`).not.toMatch(/\n\s+at /);

    const badShard = await runCli(['sweep', spec, '--shard', '2/2', '--db', db]);
    expect(badShard.code).toBe(2);
    expect(badShard.stderr).toMatch(/--shard must be I\/N/);
  }, 400_000);

  it('study --quick writes the summary, the CSV and the plots, and resumes', async () => {
    const { db, dir } = setup();
    const out = join(dir, 'study');
    const started = Date.now();
    const study = await runCli(['study', '--quick', '--out', out, '--db', db], { timeoutMs: 240_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`study --quick: ${seconds.toFixed(0)} s`);
    expect(study.code, study.stderr).toBe(0);
    expect(study.stdout).toMatch(/MES-σ vs linear: significantly better at \d+ of 24 points/);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('## Headline: MES-σ against linear');
    expect(summary).toContain('### σ × 1');
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^# ReRAM Bench study/);
    // 4 presets × 2 σ × (float + 6 methods × 3 bits).
    expect(csv.filter((l) => !l.startsWith('#')).length - 1).toBe(4 * 2 * (1 + 6 * 3));
    for (const preset of ['Ag-a-Si', 'TaOx-HfOx', 'AlOx-HfO2', 'EpiRAM']) {
      expect(readFileSync(join(out, `accuracy-vs-bits-${preset}.svg`), 'utf8')).toContain(
        'top-1 accuracy (%)',
      );
      const png = readFileSync(join(out, `accuracy-vs-bits-${preset}.png`));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
    expect(existsSync(join(out, 'summary.md'))).toBe(true);
    const again = await runCli(['study', '--quick', '--out', out, '--db', db], { timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/done \(/);

    // A report from the points done so far says it is partial and what is missing.
    const partialDir = join(dir, 'partial');
    mkdirSync(partialDir);
    const [resultsName] = readdirSync(out).filter((f) => f.endsWith('.jsonl'));
    const lines = readFileSync(join(out, resultsName!), 'utf8').trim().split('\n');
    writeFileSync(join(partialDir, resultsName!), `${lines.slice(0, 3).join('\n')}\n`);
    const partial = await runCli(['study', '--quick', '--report', '--out', partialDir], {
      timeoutMs: 60_000,
    });
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toMatch(/\(partial\)/);
    const partialSummary = readFileSync(join(partialDir, 'summary.md'), 'utf8');
    expect(partialSummary).toMatch(/Partial report: 3 of 8 points/);
    expect(partialSummary).toMatch(/EpiRAM: σ × 0, 1/);
    const none = await runCli(['study', '--quick', '--report', '--out', join(dir, 'empty')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no study points .* yet/);
  }, 400_000);
});
