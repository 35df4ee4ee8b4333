/**
 * Bench round 2 (issue 19): what a second read of the manuals found, checked on the wire against
 * the virtual SMU, which now rejects what the real instruments reject.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ProcedureParams } from '../../src/shared/procedures';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { startPrologixEmulator } from '../../src/main/virtual-smu/prologix';
import type { SimServer } from '../../src/main/virtual-smu/server';
import type { Smu } from '../../src/main/instrument/drivers/smu';
import { rawQuery, startSim } from '../helpers/sim';

const sims: SimServer[] = [];
/** A driver on the simulator's LAN socket, closed however `check` ends. */
const withSmu = async (s: SimServer, check: (smu: Smu) => Promise<void>) => {
  const smu = await connectInstrument(`TCPIP::127.0.0.1::${s.port}::SOCKET`);
  try {
    await check(smu);
  } finally {
    await smu.close();
  }
};
afterAll(() => Promise.all(sims.map((s) => s.close())));
const sim = async (model: '2400' | '2450' | 'b2900') => {
  const s = await startSim({ model });
  sims.push(s);
  return s;
};

describe('source-delay ranges, as each manual gives them', () => {
  it.each([
    ['2400', ':SOUR:DEL', 999.9999, 1000],
    ['2450', ':SOUR:VOLT:DEL', 4, 4.5],
  ] as const)('a %s takes %s up to %s s and refuses more (-222)', async (model, header, max, beyond) => {
    const s = await sim(model);
    const [ok, okError, , error] = await rawQuery(s.port, [
      `${header} ${max}`,
      `${header}?`,
      ':SYST:ERR?',
      `${header} ${beyond}`,
      `${header}?`,
      ':SYST:ERR?',
    ]).then((r) => [r[0], r[1], r[2], r[3]]);
    expect(Number(ok)).toBeCloseTo(max, 6);
    expect(okError).toMatch(/^0,/);
    expect(error).toMatch(/^-222,/);
  });

  it('a 2450 driver refuses a host-timed pulse longer than its 4 s source delay can hold', async () => {
    const s = await sim('2450');
    await withSmu(s, async (smu) => {
      expect(smu.pulseWidthRange().max).toBe(4);
    });
  });
});

describe('B2900 trigger model: the ALL forms set both layers and are read per layer', () => {
  it('the virtual B2900 has no query for :TRIG:SOUR? (ALL form); the layers answer', async () => {
    const s = await sim('b2900');
    const replies = await rawQuery(
      s.port,
      [':TRIG:SOUR BUS', ':TRIG:SOUR?', ':TRIG:ACQ:SOUR?', ':TRIG:TRAN:SOUR?', ':SYST:ERR?'],
      3,
    );
    // The ALL-form query gets no reply, only an error; each layer reads back what ALL set.
    expect(replies).toEqual(['BUS', 'BUS', expect.stringMatching(/^-113,/) as string]);
  });

  it('a run on a B2900 reads its settings back without one error', async () => {
    const s = await sim('b2900');
    await withSmu(s, async (smu) => {
      let settings: Record<string, unknown> = {};
      const result = await runProcedure(
        smu,
        ProcedureParams.parse({ procedure: 'read', maxVoltage: 1, compliance: 1e-4, count: 2 }),
        { onConfigured: (snapshot) => void (settings = snapshot as Record<string, unknown>) },
      );
      expect(result.status).toBe('completed');
      expect(settings).toMatchObject({ acquireTriggerSource: 'auto', transientTriggerSource: 'auto' });
      expect(settings).not.toHaveProperty('triggerSource');
    });
  });
});

describe('2400 pulses are timed by the source-delay-measure cycle, from output off', () => {
  it('a forming and a pulse train never leave a level on the cell between cycles', async () => {
    const s = await sim('2400');
    await withSmu(s, async (smu) => {
      for (const params of [
        { procedure: 'forming', maxVoltage: 5, compliance: 1e-3 },
        { procedure: 'pulse-train', maxVoltage: 2, compliance: 1e-3, pulses: 5, cycles: 1 },
      ]) {
        const result = await runProcedure(smu, ProcedureParams.parse(params));
        expect(result.status, JSON.stringify(result)).toBe('completed');
      }
      // Every level reached the cell inside a cycle: none from :SOUR:VOLT with the output already on.
      expect(s.instrument.untimedBias).toEqual([]);
    });
  });
});

describe('2400 pulse widths from the timing appendix (Case III: current only, auto-zero off)', () => {
  it("the on-time the virtual 2400 gives each pulse is the width asked for, and the floor is the manual's", async () => {
    const s = await sim('2400');
    await withSmu(s, async (smu) => {
      await smu.configure({ compliance: 1e-3, nplc: 1, sense: '2w', autoZero: true });
      // 50 Hz: 50 µs + (0.01 PLC = 200 µs) + 185 µs + 300 µs firmware.
      expect(smu.pulseWidthRange().min).toBeCloseTo(735e-6, 9);
      for (const width of [0.735e-3, 1e-3, 2e-3, 10e-3, 50e-3]) {
        const m = await smu.pulse(0.5, width);
        expect(s.instrument.lastPulseSeconds, `${width * 1e3} ms`).toBeCloseTo(width, 5);
        expect(m.width).toEqual({
          nominal: width,
          achieved: expect.closeTo(width, 5) as number,
          basis: 'model',
        });
        // One conversion on the cell: current only, no reference phases.
        expect(s.instrument.conversions()).toBe(1);
      }
      await expect(smu.pulse(0.5, 0.7e-3)).rejects.toThrow(/outside|below|shortest/i);
      // Reads go back to V and I with the configured auto-zero.
      await smu.measure();
      expect(s.instrument.conversions()).toBe(4);
    });
  });

  it('forming asks for no width below the live floor (50 Hz), even with a 0 s dwell', async () => {
    const s = await sim('2400');
    await withSmu(s, async (smu) => {
      const widths: number[] = [];
      const result = await runProcedure(
        smu,
        ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3, dwell: 0 }),
        { onPoint: (p) => void (p.kind === 'step' && p.width !== null && widths.push(p.width)) },
      );
      expect(result.status, JSON.stringify(result)).toBe('completed');
      expect(widths.length).toBeGreaterThan(3);
      for (const width of widths) expect(width).toBeCloseTo(735e-6, 9);
      expect(result.summary).toMatchObject({ pulseWidths: { basis: 'model' } });
    });
  });
});

describe('GPIB behind an AR488 or a Prologix: no EEPROM writes, no read with nothing to read', () => {
  it.each(['ar488', 'ethernet'] as const)(
    "%s: slow readings (0.8 s each, past the adapter's read timeout) leave no -420 and no EEPROM write",
    async (flavour) => {
      const s = await startSim({ model: '2400', timeScale: 1 });
      sims.push(s);
      const adapter = await startPrologixEmulator({ device: s.gpib(), address: 24, flavour });
      const smu = await connectInstrument('GPIB0::24::INSTR', {
        gpibAdapter: adapter.resource,
        timeoutMs: 3000,
      });
      try {
        // Five readings at 10 PLC with auto-zero: 4 × 200 ms conversions each, back to back (~4 s).
        const result = await runProcedure(
          smu,
          ProcedureParams.parse({ procedure: 'read', maxVoltage: 1, compliance: 1e-4, count: 5, nplc: 10 }),
        );
        // The runner reads the error queue at the end: a -420 would fail the run.
        expect(result.status, JSON.stringify(result.error)).toBe('completed');
        expect(adapter.stats.unterminatedReads).toBe(0);
        expect(adapter.stats.eepromWrites).toBe(0);
        expect(adapter.stats.reads).toBeGreaterThan(5);
      } finally {
        await smu.close();
        await adapter.close();
      }
    },
    30_000,
  );
});

describe('2450 pulses in the trigger model (2461 manual p. 6-200), not host-timed', () => {
  it('each pulse is source on, a delay, a reading, source off inside the instrument; the level never sits on the cell outside it', async () => {
    const s = await sim('2450');
    await withSmu(s, async (smu) => {
      await smu.configure({ compliance: 1e-3, nplc: 1, sense: '2w' });
      await smu.setVoltage(0);
      await smu.output(true);
      // 50 Hz: 0.01 PLC (200 µs) and the 0.5 ms reading overhead.
      expect(smu.pulseWidthRange().min).toBeCloseTo(0.7e-3, 9);
      for (const width of [1e-3, 5e-3, 20e-3, 0.5]) {
        const m = await smu.pulse(1.2, width);
        expect(s.instrument.lastPulseSeconds, `${width * 1e3} ms`).toBeCloseTo(width, 5);
        expect(m.vSource).toBe(1.2);
        expect(m.width).toMatchObject({ nominal: width, basis: 'model' });
        // After the pulse: back at 0 V with the output on, as the reads expect.
        expect(await smu.outputState()).toBe(true);
        expect(s.instrument.level).toBe(0);
      }
      const read = await smu.measure();
      expect(read.vSource).toBe(0);
    });
  });

  it('a pulse train and write-verify run on the 2450 through the trigger model', async () => {
    const s = await sim('2450');
    await withSmu(s, async (smu) => {
      for (const params of [
        { procedure: 'forming', maxVoltage: 5, compliance: 1e-3 },
        { procedure: 'pulse-train', maxVoltage: 2, compliance: 1e-3, pulses: 5, cycles: 1 },
        { procedure: 'write-verify', maxVoltage: 2, compliance: 1e-3 },
      ]) {
        const result = await runProcedure(smu, ProcedureParams.parse(params));
        expect(result.status, `${params.procedure}: ${JSON.stringify(result.error)}`).toBe('completed');
      }
    });
  }, 60_000);
});
