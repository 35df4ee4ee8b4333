import { spawn } from 'node:child_process';

import { testPython } from '../../scripts/system-prereqs.mjs';

/** The interpreter for Python-side checks: Debian's, where `npm test` installs python3-* packages (one definition, in the prerequisites). */
export const TEST_PYTHON = testPython();

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end without blocking the worker, so independent runs can overlap. */
export function runProgram(
  program: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs Debian's Python (`-W ignore`) with the given module path; plots go to files (Agg), never
 * to a window, and no bytecode is written into vendored trees.
 */
export function runPython(args: string[], options: { cwd: string; pythonPath?: string[] }) {
  return runProgram(TEST_PYTHON, ['-W', 'ignore', ...args], {
    cwd: options.cwd,
    env: {
      ...process.env,
      MPLBACKEND: 'Agg',
      PYTHONPATH: (options.pythonPath ?? []).join(':'),
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
}
