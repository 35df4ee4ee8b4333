import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';
import { tempDbPath } from '../helpers/temp';

it('the bundled CLI (as the packaged app runs it) predicts on its bundled worker pool', () => {
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-electron.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
  const run = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'dist', 'electron', 'cli.cjs'),
      'predict',
      '--profile',
      'AlOx/HfO2',
      '--methods',
      'float,mes',
      '--bits',
      '3',
      '--trials',
      '2',
      '--limit',
      '200',
      '--workers',
      '2',
      '--db',
      tempDbPath(),
      '--json',
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { runtime: string; results: Array<{ mean: number }> };
  expect(report.runtime).toMatch(/2 workers/);
  expect(report.results.every((r) => r.mean > 0.9)).toBe(true);
}, 180_000);
