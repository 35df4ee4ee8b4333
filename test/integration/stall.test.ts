/**
 * A serial instrument that stalls with its output on (the process is stopped, as a wedged
 * instrument would be) must end with its output off once it resumes, and the CLI must say what
 * it knows: "off" sent and not confirmed while stalled, then confirmed. Over a serial port no
 * second connection is possible, so "off" has to pre-empt everything queued on the one link.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../helpers/cli';
import { outputIsOn, spawnSim } from '../helpers/sim';

let sim: Awaited<ReturnType<typeof spawnSim>> | undefined;
afterAll(async () => {
  sim?.child.kill('SIGCONT');
  await sim?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('SIGSTOP mid-run on RS-232: output off pre-empts the queue, is reported unconfirmed, then confirmed off after SIGCONT', async () => {
  sim = await spawnSim(['--pty', '--time-scale', '1', '--seed', '31']);
  let simLog = '';
  sim.child.stderr!.on('data', (d: Buffer) => (simLog += d.toString()));
  const db = join(mkdtempSync(join(tmpdir(), 'reram-stall-')), 'stall.db');
  // A DC staircase keeps the 2400's output on through each list sweep: the stall catches it live.
  const child = spawn(
    process.execPath,
    [
      CLI,
      'characterize',
      sim.pty!,
      '--procedure',
      'set',
      '--v-peak',
      '1',
      '--v-step',
      '0.05',
      '--dwell',
      '20m',
      '--nplc',
      '0.1',
      '--max-v',
      '2',
      '--compliance',
      '1m',
      '--timeout',
      '1000',
      // The staircase runs on a pristine cell: this test is about the stall, not the cell.
      '--acknowledge-cell-state',
      '--off-wait',
      '30',
      '--db',
      db,
      '--json',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  // Wait until a staircase chunk is running (the list sweep turned the output on), then stall.
  const deadline = Date.now() + 20_000;
  while (!/output ON/.test(simLog) && Date.now() < deadline) await sleep(10);
  await sleep(150);
  sim.child.kill('SIGSTOP');
  const stalledWithOutput = simLog
    .trimEnd()
    .split('\n')
    .filter((l) => /output (ON|OFF)/.test(l))
    .pop();
  expect(stalledWithOutput).toMatch(/output ON/);

  // Longer than the query timeout plus the time "off" may take to be confirmed.
  await sleep(8000);
  expect(stderr).toMatch(/"Output off" was sent to ASRL.*after a device clear.*did not confirm it/s);
  expect(stderr).toMatch(/waiting up to 30 s for the instrument to confirm/);
  sim.child.kill('SIGCONT');

  expect(await exited).toBe(1); // the run failed (it timed out) …
  expect(stderr).toMatch(/output off confirmed \(on the same link\)/); // … but the output is off, and confirmed
  const outcome = JSON.parse(stdout) as {
    status: string;
    outputOffConfirmed: boolean;
    error: { code: string };
  };
  expect(outcome).toMatchObject({ status: 'failed', outputOffConfirmed: true, error: { code: 'SAFETY' } });
  // The instrument's own record ends with its output off, and it says so when asked.
  await sleep(200);
  const last = simLog
    .trimEnd()
    .split('\n')
    .filter((l) => /output (ON|OFF)/.test(l))
    .pop();
  expect(last).toMatch(/output OFF/);
  expect(simLog).toMatch(/device clear/);
  expect(await outputIsOn(sim.port)).toBe(false);
}, 60_000);
