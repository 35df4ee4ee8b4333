import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Store } from '../../src/main/store/store';
import { REPO_ROOT } from '../helpers/cli';

it('kill -9 during a run loses at most the point in flight, and the run is marked interrupted on reopen', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'reram-crash-')), 'crash.db');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test', 'fixtures', 'stream-points.ts'), path],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if ((output.match(/point/g) ?? []).length >= 300 && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  await exited;
  const generated = Math.max(...[...output.matchAll(/point (\d+)/g)].map((m) => Number(m[1]) + 1));

  const store = new Store(path);
  const run = store.runs.listRuns()[0]!;
  const stored = store.runs.getPoints(run.id);
  store.close();
  expect(run.status).toBe('interrupted');
  expect(run.error).toMatch(/stopped unexpectedly/);
  // Every point handed to the writer before the kill is stored, but the one in flight.
  expect(generated - stored.length).toBeLessThanOrEqual(1);
  expect(stored.map((p) => p.seq)).toEqual(Array.from({ length: stored.length }, (_, k) => k));
});

it('processes opening one new database at the same moment migrate it once, without errors', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'reram-race-')), 'race.db');
  // Each process loads first, then all open at one agreed instant.
  const startAt = Date.now() + 4000;
  const script = `import { Store } from ${JSON.stringify(join(REPO_ROOT, 'src', 'main', 'store', 'store.ts'))};
while (Date.now() < ${startAt}) {}
new Store(process.argv[1]).close(); console.log('opened');`;
  const open = () =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
  const results = await Promise.all(Array.from({ length: 6 }, open));
  for (const r of results) expect(r.out.trim(), r.out).toBe('opened');
  const store = new Store(path);
  expect(store.runs.listRuns()).toEqual([]);
  store.close();
}, 60_000);
