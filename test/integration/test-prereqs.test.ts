import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_PREREQUISITES } from '../../scripts/system-prereqs.mjs';
import { REPO_ROOT } from '../helpers/cli';

// On a machine without the packages, `npm test` must name every one of them — the failure that
// CI's own longer apt list once hid. A clean environment is simulated: an empty PATH hides the
// binaries, and a Python started with -S (no site-packages) hides the modules.
describe('test prerequisites on a machine that has none of them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reram-prereqs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names every missing package with the check that failed and the apt line', () => {
    const python = join(dir, 'python3');
    writeFileSync(python, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(python, 0o755);
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'test-prereqs.mjs'), '--check'], {
      encoding: 'utf8',
      env: { PATH: join(dir, 'empty'), RERAM_TEST_PYTHON: python, HOME: dir },
    });
    expect(result.status).toBe(1);
    for (const prerequisite of SYSTEM_PREREQUISITES) {
      expect(result.stderr).toContain(`- ${prerequisite.pkg} (${prerequisite.check} failed)`);
    }
    const aptLine = /apt-get install -y (.*)/.exec(result.stderr)?.[1]?.split(' ');
    expect(aptLine?.sort()).toEqual(SYSTEM_PREREQUISITES.map((p) => p.pkg).sort());
    expect(result.stderr).not.toMatch(/\bat .*\.mjs:\d+/);
  });

  it('passes on this machine, where npm test installed them', () => {
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'test-prereqs.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
