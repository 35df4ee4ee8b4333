/**
 * GPIB0::24::INSTR through a Prologix-style adapter emulator in front of the virtual SMU: over
 * the adapter's LAN socket (GPIB-ETHERNET) and over a real pty (GPIB-USB), the whole path runs
 * (identify, form, pulse train), device clear is SDC (++clr), and a reading slower than the
 * adapter's read timeout (500 ms, ++read_tmo_ms) still arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcedureParams } from '../../src/shared/procedures';
import type { Point } from '../../src/shared/run';
import { connectInstrument } from '../../src/main/instrument/connect';
import { escapeGpibData } from '../../src/main/instrument/transport/prologix';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { outputIsOn, spawnSim } from '../helpers/sim';

let sim: Awaited<ReturnType<typeof spawnSim>>;
beforeAll(async () => {
  sim = await spawnSim(['--gpib', '24', '--gpib-pty', '--time-scale', '0', '--seed', '8']);
});
afterAll(() => sim.stop());

it('escapes CR, LF, ESC and + inside data, as the adapter requires', () => {
  expect([...escapeGpibData(Buffer.from('A+B\r\n\x1bC'))]).toEqual([
    0x41, 0x1b, 0x2b, 0x42, 0x1b, 0x0d, 0x1b, 0x0a, 0x1b, 0x1b, 0x43,
  ]);
});

describe.each([
  ['GPIB-ETHERNET (TCP)', 0],
  ['GPIB-USB (serial pty)', 1],
])('a 2400 at GPIB address 24 behind a %s adapter', (_label, which) => {
  it('identifies, forms and runs a pulse train; "off" is confirmed after an SDC', async () => {
    const smu = await connectInstrument('GPIB0::24::INSTR', {
      gpibAdapter: sim.gpibAdapters[which]!,
      timeoutMs: 3000,
    });
    try {
      expect(smu.identity.model).toBe('2400');
      expect(smu.resource).toBe('GPIB0::24::INSTR');
      const run = async (raw: Record<string, unknown>) => {
        const points: Point[] = [];
        const result = await runProcedure(
          smu,
          ProcedureParams.parse({ maxVoltage: 5, compliance: 1e-3, ...raw }),
          {
            onPoint: (p) => points.push(p),
          },
        );
        expect(result.error).toBeUndefined();
        return { points, result };
      };
      expect((await run({ procedure: 'forming', cell: which })).result.summary.formed).toBe(true);
      const train = await run({
        procedure: 'pulse-train',
        pulses: 10,
        cycles: 1,
        maxVoltage: 2,
        cell: which,
      });
      expect(train.points.filter((p) => p.kind === 'read')).toHaveLength(2 * 11);
      const report = await smu.switchOff(2000);
      expect(report).toEqual({ confirmed: true, via: 'link', cleared: true });
      expect(await outputIsOn(sim.port)).toBe(false);
    } finally {
      await smu.close();
    }
  });
});

it('nobody at another address: a clear timeout, not a hang', async () => {
  await expect(
    connectInstrument('GPIB0::7::INSTR', { gpibAdapter: sim.gpibAdapters[0]!, timeoutMs: 800 }),
  ).rejects.toMatchObject({ code: 'TIMEOUT' });
});

it('a reading slower than the adapter read timeout (500 ms) is read by re-issuing ++read', async () => {
  const slow = await spawnSim(['--gpib', '5', '--time-scale', '1', '--seed', '9']);
  try {
    const smu = await connectInstrument('GPIB0::5::INSTR', {
      gpibAdapter: slow.gpibAdapters[0]!,
      timeoutMs: 2000,
    });
    try {
      await smu.prepare();
      // 10 PLC, V and I, auto-zero: 60 integrations of 20 ms = 1.2 s … times a staircase of 4 levels, 1 s dwell each.
      await smu.configure({ compliance: 1e-3, nplc: 10 });
      await smu.output(true);
      const steps = await smu.list([0.1, 0.1, 0.1, 0.1], 1);
      expect(steps).toHaveLength(4);
      expect(steps.every((m) => m.i !== null)).toBe(true);
      await smu.switchOff(3000);
    } finally {
      await smu.close();
    }
  } finally {
    await slow.stop();
  }
}, 60_000);
