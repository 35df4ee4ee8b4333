/**
 * The experiment queue from the CLI on the virtual SMU: a recipe over cells runs unattended; a
 * failing step is retried then its cell skipped; killed with -9 mid-queue, the same command
 * resumes at the next unfinished step, and a retention step killed mid-run carries on from its
 * checkpoint.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/main/store/store';
import type { QueueState } from '../../src/shared/recipes';
import { runCli, startCli, stopChild } from '../helpers/cli';
import { tempDbPath } from '../helpers/temp';

describe('run RECIPE.json RESOURCE', () => {
  let sim: ChildProcess;
  let resource: string;
  beforeAll(async () => {
    const started = await startCli(
      ['sim-smu', '--listen', '127.0.0.1:0', '--time-scale', '0.02', '--cells', '8'],
      /(TCPIP::[^\n]+::SOCKET)\n/,
    );
    sim = started.child;
    resource = started.match[1]!;
  });
  afterAll(() => stopChild(sim));

  const recipe = (cells: string, extra: object = {}) => ({
    name: 'form, train',
    cells,
    steps: [
      { params: { procedure: 'forming', maxVoltage: 5, compliance: 1e-4 } },
      { params: { procedure: 'pulse-train', maxVoltage: 5, compliance: 1e-3, pulses: 10, cycles: 1 } },
    ],
    ...extra,
  });

  it('killed with -9 mid-queue, the same command resumes at the next unfinished step', async () => {
    const db = tempDbPath();
    const file = join(dirname(db), 'recipe.json');
    writeFileSync(file, JSON.stringify(recipe('0-3')));
    // Killed once the second cell's forming has started.
    const first = await startCli(['run', file, resource, '--db', db], /queue 1: cell 1, step 1\/2 forming/, {
      stream: 'stderr',
      timeoutMs: 120_000,
    });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const before = new Store(db).queues.state(1);
    expect(before.steps.filter((s) => s.status === 'completed').map((s) => [s.cell, s.step])).toEqual([
      [0, 0],
      [0, 1],
    ]);

    const resumed = await runCli(['run', file, resource, '--db', db, '--json'], { timeoutMs: 240_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('queue 1 (form, train): resuming after 2 finished step(s)');
    const state = JSON.parse(resumed.stdout) as QueueState;
    expect(state.id).toBe(1);
    expect(state.status).toBe('completed');
    expect(state.steps.map((s) => s.status)).toEqual(Array(8).fill('completed'));
    // Each step ran once to completion; the run cut by the kill is kept, marked interrupted.
    const store = new Store(db);
    const runs = store.runs.listRuns(100);
    store.close();
    const completed = runs.filter((r) => r.status === 'completed');
    expect(completed).toHaveLength(8);
    expect(new Set(state.steps.map((s) => s.runId)).size).toBe(8);
    expect(runs.filter((r) => r.status === 'interrupted').length).toBeLessThanOrEqual(1);
  }, 300_000);

  it('killed with -9 during a retention step, the resumed queue continues that run from its checkpoint', async () => {
    const db = tempDbPath();
    const file = join(dirname(db), 'recipe.json');
    const retention = {
      procedure: 'retention',
      maxVoltage: 3,
      compliance: 1e-3,
      levels: 2,
      duration: 100,
      readsPerDecade: 3,
    };
    writeFileSync(
      file,
      JSON.stringify({
        name: 'retention',
        cells: '7',
        steps: [{ params: { procedure: 'forming', maxVoltage: 5, compliance: 1e-4 } }, { params: retention }],
      }),
    );
    const first = await startCli(
      ['run', file, resource, '--db', db],
      /queue 1: cell 7, step 2\/2 retention/,
      {
        stream: 'stderr',
        timeoutMs: 120_000,
      },
    );
    // Killed once level 2 has been programmed and read twice (its state checkpointed in the run).
    const held = async () => {
      const store = new Store(db);
      try {
        const run = store.runs.listRuns(10).find((r) => r.procedure === 'retention');
        const state = run?.summary?.retentionState as
          { current: number | null; levels: Array<{ reads: unknown[] }> } | undefined;
        return state?.current === 1 && (state.levels[1]?.reads.length ?? 0) >= 2 ? run!.id : null;
      } finally {
        store.close();
      }
    };
    let stopped: number | null = null;
    for (let k = 0; k < 600 && stopped === null; k++) {
      stopped = await held();
      if (stopped === null) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(stopped).not.toBeNull();

    const resumed = await runCli(['run', file, resource, '--db', db, '--json'], { timeoutMs: 240_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const state = JSON.parse(resumed.stdout) as QueueState;
    expect(state.steps.map((s) => s.status)).toEqual(['completed', 'completed']);
    const store = new Store(db);
    try {
      expect(store.runs.getRun(stopped!).status).toBe('interrupted');
      const continued = store.runs.getRun(state.steps[1]!.runId!);
      expect(continued.params.resumeFrom).toBe(stopped);
      expect(continued.summary?.continues).toEqual([stopped]);
      // Level 1 was not programmed again, level 2 neither: the new run only read on.
      const pulses = store.runs.getPoints(continued.id).filter((p) => p.kind === 'pulse');
      expect(pulses).toHaveLength(0);
      const levels = (continued.summary?.retention as { levels: Array<{ reads: number; fit?: unknown }> })
        .levels;
      expect(levels).toHaveLength(2);
      expect(levels.every((l) => l.reads >= 6 && l.fit !== undefined)).toBe(true);
    } finally {
      store.close();
    }
  }, 300_000);

  it('a failing step is retried, then the rest of its cell is skipped; the exit code says so', async () => {
    const db = tempDbPath();
    const file = join(dirname(db), 'recipe.json');
    // A pulse width the 2400 cannot make fails at once (before any output), every time; the
    // cells are formed first, so the cell guard lets the pulse train try.
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bad width',
        cells: '4-5',
        retries: 1,
        steps: [
          { params: { procedure: 'forming', maxVoltage: 5, compliance: 1e-4 } },
          {
            params: {
              procedure: 'pulse-train',
              maxVoltage: 5,
              compliance: 1e-3,
              pulses: 5,
              cycles: 1,
              width: 1e-6,
            },
          },
          { params: { procedure: 'read', maxVoltage: 1, compliance: 1e-3 } },
        ],
      }),
    );
    const result = await runCli(['run', file, resource, '--db', db, '--json'], { timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    const state = JSON.parse(result.stdout) as QueueState;
    expect(state.steps.map((s) => [s.cell, s.status, s.attempts])).toEqual([
      [4, 'completed', 1],
      [4, 'failed', 2],
      [4, 'skipped', 0],
      [5, 'completed', 1],
      [5, 'failed', 2],
      [5, 'skipped', 0],
    ]);
    expect(state.steps[1]!.error).toMatch(/pulse/);
  }, 120_000);

  it('the cell guard, unattended: programming an unformed cell is skipped; characterize refuses it until acknowledged', async () => {
    const db = tempDbPath();
    const file = join(dirname(db), 'train.json');
    const train = { procedure: 'pulse-train', maxVoltage: 3, compliance: 1e-3, pulses: 5, cycles: 1 };
    writeFileSync(file, JSON.stringify({ name: 'train only', cells: '6', steps: [{ params: train }] }));
    const queued = await runCli(['run', file, resource, '--db', db, '--json'], { timeoutMs: 60_000 });
    expect(queued.code).toBe(1);
    const state = JSON.parse(queued.stdout) as QueueState;
    expect(state.steps[0]).toMatchObject({ status: 'skipped', runId: null });
    expect(state.steps[0]!.error).toMatch(/cell 6 has not been formed/);
    // Run again: the skipped step is unfinished, so the same command resumes it (and skips it again).
    const again = await runCli(['run', file, resource, '--db', db, '--json'], { timeoutMs: 60_000 });
    expect(again.stderr).toContain('resuming after 0 finished step(s)');

    const args = ['characterize', resource, '--db', db, '--procedure', 'pulse-train', '--cell', '6'];
    const flags = ['--max-v', '3', '--compliance', '1m', '--pulses', '5', '--cycles', '1'];
    const refused = await runCli([...args, ...flags]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Cell 6 has not been formed .*Nothing was sent/);
    expect(refused.stderr).toContain('--acknowledge-cell-state');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const store = new Store(db);
    expect(store.runs.listRuns(100).filter((r) => r.procedure === 'pulse-train')).toHaveLength(0);
    store.close();
    const acknowledged = await runCli([...args, ...flags, '--acknowledge-cell-state', '--json'], {
      timeoutMs: 60_000,
    });
    expect(acknowledged.code, acknowledged.stderr).toBe(0);
    expect(acknowledged.stderr).toMatch(/sample: virtual/);
  }, 180_000);

  it('a recipe with a bad step is refused with the step named, before connecting', async () => {
    const db = tempDbPath();
    const file = join(dirname(db), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify(recipe('0-1', { steps: [{ params: { procedure: 'forming', maxVoltage: 5 } }] })),
    );
    const result = await runCli(['run', file, resource, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/steps\[0\]\.params\.compliance: .*expected number/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
