import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../helpers/cli';
import { outputIsOn, spawnSim } from '../helpers/sim';

function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}: ${text}`)), timeoutMs);
    stream.on('data', (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

describe('the output goes off when the process is told to stop or crashes', () => {
  let sim: Awaited<ReturnType<typeof spawnSim>>;
  const dir = mkdtempSync(join(tmpdir(), 'reram-signals-'));
  // Real time: a pulse-train step takes ~20 ms, so there is a run to interrupt.
  beforeAll(async () => {
    sim = await spawnSim(['--model', '2450', '--time-scale', '1', '--cells', '8', '--seed', '21']);
  });
  afterAll(() => sim.stop());

  it.each([
    ['SIGINT', 130, 1],
    ['SIGTERM', 143, 2],
  ] as const)(
    '%s during characterize: the run is cancelled, stored, and the output is off',
    async (signal, code, cell) => {
      const db = join(dir, `${signal}.db`);
      const form = spawn(process.execPath, [
        CLI,
        'characterize',
        sim.tcp,
        '--procedure',
        'forming',
        '--max-v',
        '5',
        '--compliance',
        '1m',
        '--cell',
        String(cell),
        '--db',
        db,
      ]);
      await new Promise((resolve) => form.on('exit', resolve));
      const child = spawn(
        process.execPath,
        [
          CLI,
          'characterize',
          sim.tcp,
          '--procedure',
          'pulse-train',
          '--max-v',
          '2',
          '--compliance',
          '1m',
          '--cycles',
          '20',
          '--cell',
          String(cell),
          '--db',
          db,
        ],
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      await waitFor(child.stderr, /run \d+ in /);
      await new Promise((r) => setTimeout(r, 700));
      // The 2450 keeps the output on for the reads (0 V between them) and switches it off and on
      // around each trigger-model pulse: catch it on, so the signal meets a live source.
      try {
        await expect.poll(() => outputIsOn(sim.port), { timeout: 10_000, interval: 5 }).toBe(true);
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
      const sentAt = Date.now();
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(Date.now() - sentAt).toBeLessThan(3000);
      // Off, and it stays off: no pulse of the stopped run switches it on again.
      for (const started = Date.now(); Date.now() - started < 500;) {
        expect(await outputIsOn(sim.port)).toBe(false);
        await new Promise((r) => setTimeout(r, 20));
      }
      const store = new Database(db, { readonly: true });
      const run = store
        .prepare("SELECT status, point_count FROM runs WHERE procedure = 'pulse-train'")
        .get() as { status: string; point_count: number };
      const stored = (store.prepare('SELECT count(*) AS n FROM points').get() as { n: number }).n;
      store.close();
      expect(run.status).toBe('cancelled');
      expect(run.point_count).toBeGreaterThan(0);
      expect(stored).toBeGreaterThan(run.point_count); // forming points too: nothing lost
    },
  );

  it('an uncaught exception mid-run: process safety switches the output off, exit 1', async () => {
    await sim.stop();
    sim = await spawnSim(['--model', '2450', '--time-scale', '0.2', '--seed', '22']);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'test', 'fixtures', 'crash-during-run.ts'), sim.tcp],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await waitFor(child.stdout, /crashing with the output on/);
    expect(await exited).toBe(1);
    expect(stderr).toContain('uncaught exception: simulated bug in the middle of a run');
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    expect(stderr).toMatch(/output off/);
    expect(await outputIsOn(sim.port)).toBe(false);
  });
});
