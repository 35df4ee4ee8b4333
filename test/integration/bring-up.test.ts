/**
 * `doctor --instrument RESOURCE`, the once-per-bench bring-up check: read-only (the output is
 * never touched), each item ok / warn / fail with the exact fix, for every model and the ways
 * a bench is typically mis-set (output left on, wrong RS-232 terminator, a 2450 in TSP mode).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { connectInstrument } from '../../src/main/instrument/connect';
import { outputIsOn, rawQuery, spawnSim, startSim } from '../helpers/sim';

interface Report {
  ok: boolean;
  items: Array<{ name: string; status: string; detail: string; fix?: string }>;
}
const sims: Array<Awaited<ReturnType<typeof spawnSim>>> = [];
afterAll(() => Promise.all(sims.map((s) => s.stop())));
const sim = async (args: string[]) => {
  const s = await spawnSim([...args, '--time-scale', '0']);
  sims.push(s);
  return s;
};

describe.each(['2400', '2450', 'b2900'])('a %s', (model) => {
  it('passes every item, and leaves a live output alone while failing it', async () => {
    const s = await sim(['--model', model]);
    const good = await runCli(['doctor', '--instrument', s.tcp, '--json']);
    const report = JSON.parse(good.stdout) as Report;
    expect(good.code).toBe(0);
    expect(report.items.map((i) => i.name)).toEqual([
      'identity and driver',
      'command language',
      'terminators',
      'line frequency',
      'error queue',
      'output',
      'sense and terminals',
      'interlock',
      'shortest pulse',
    ]);
    expect(report.items.every((i) => i.status === 'ok')).toBe(true);

    // Someone left the output on (and an error in the queue): reported, not changed.
    await rawQuery(s.port, [':OUTP ON', ':BOGUS']);
    const bad = await runCli(['doctor', '--instrument', s.tcp, '--json']);
    const badReport = JSON.parse(bad.stdout) as Report;
    expect(bad.code).toBe(1);
    const byName = Object.fromEntries(badReport.items.map((i) => [i.name, i]));
    expect(byName.output).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/Switch the output off/) as string,
    });
    expect(byName['error queue']).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/-113/) as string,
    });
    expect(await outputIsOn(s.port)).toBe(true);
    await rawQuery(s.port, [':OUTP OFF']);
  });
});

// What each manual says the interlock query returns: 2450 p. 6-33 (1 = asserted), 2400 bit 11, B2900 1 = open.
it.each([
  ['2400', 'the output cannot be turned on'],
  ['2450', 'limited to ±37 V'],
  ['b2900', 'limited to ±42 V'],
] as const)('a %s: the interlock read as its manual says, closed and open', async (model, limit) => {
  const s = await startSim({ model });
  try {
    for (const [asserted, status] of [
      [true, 'ok'],
      [false, 'warn'],
    ] as const) {
      s.instrument.interlockAsserted = asserted;
      const smu = await connectInstrument(`TCPIP::127.0.0.1::${s.port}::SOCKET`);
      const item = (await smu.diagnose().finally(() => smu.close())).find((i) => i.name === 'interlock')!;
      expect(item.status, `${model} asserted=${asserted}: ${item.detail}`).toBe(status);
      if (asserted) expect(item.detail).toMatch(/^engaged/);
      else expect(item.detail).toContain(limit);
    }
  } finally {
    await s.close();
  }
});

it('RS-232 with the wrong write terminator: the check says which settings to look at', async () => {
  const s = await sim(['--pty', '--term', 'CR']);
  const result = await runCli([
    'doctor',
    '--instrument',
    s.pty!,
    '--write-term',
    'LF',
    '--timeout',
    '500',
    '--json',
  ]);
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout) as Report;
  expect(report.items[0]).toMatchObject({ name: 'identity and driver', status: 'fail' });
  expect(report.items[0]!.fix).toMatch(/--write-term CR/);
  const fixed = await runCli(['doctor', '--instrument', s.pty!, '--json']);
  expect(fixed.code).toBe(0);
  expect((JSON.parse(fixed.stdout) as Report).items[2]!.detail).toMatch(/commands end in CR, replies in CR/);
});

it('a 2450 in its TSP command set: fail, with the front-panel steps', async () => {
  const s = await sim(['--model', '2450', '--language', 'TSP']);
  const result = await runCli(['doctor', '--instrument', s.tcp]);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/command language\s+FAIL/);
  expect(result.stdout).toMatch(/MENU > System > Settings > Command Set > SCPI/);
});

it('list finds the instruments on a GPIB bus behind an adapter', async () => {
  const s = await sim(['--gpib', '24']);
  const result = await runCli(['list', '--gpib-adapter', s.gpibAdapters[0]!, '--json'], {
    timeoutMs: 60_000,
  });
  expect(result.code).toBe(0);
  const listing = JSON.parse(result.stdout) as { resources: Array<{ resource: string; detail: string }> };
  expect(listing.resources).toContainEqual(
    expect.objectContaining({
      resource: 'GPIB0::24::INSTR',
      detail: expect.stringMatching(/MODEL 2400/) as string,
    }),
  );
}, 60_000);
