import { spawnSync } from 'node:child_process';

import { testPython } from '../../scripts/system-prereqs.mjs';

/** The interpreter for Python-side checks: Debian's, where `npm test` installs python3-* packages (one definition, in the prerequisites). */
export const TEST_PYTHON = testPython();

/**
 * Runs Debian's Python (`-W ignore`) with the given module path; plots go to files (Agg), never
 * to a window, and no bytecode is written into vendored trees.
 */
export function runPython(args: string[], options: { cwd: string; pythonPath?: string[] }) {
  const result = spawnSync(TEST_PYTHON, ['-W', 'ignore', ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      MPLBACKEND: 'Agg',
      PYTHONPATH: (options.pythonPath ?? []).join(':'),
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
