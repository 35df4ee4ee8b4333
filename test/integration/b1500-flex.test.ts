/**
 * The Keysight B1500A in its own command set, FLEX: our driver runs forming, a pulse train and
 * write-verify on an HRSMU of the virtual mainframe; pulses are the instrument's pulsed spot
 * measurements (the simulator's record of each pulse's length is the truth); the dialect is
 * strict (errors in the ERRX? queue, no reply); a WGFMU slot is refused by name; and PyMeasure's
 * own AgilentB1500 driver (Debian's python3-pymeasure) talks to the simulator without an error.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import { parseFlexItems } from '../../src/main/instrument/models/b1500/driver';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { formatFlexNumber } from '../../src/main/instrument/models/b1500/flex';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { ProcedureParams } from '../../src/shared/procedures';
import { REPO_ROOT } from '../helpers/cli';
import { runProgram, TEST_PYTHON } from '../helpers/python';
import { rawQuery, startSim } from '../helpers/sim';

describe('Keysight B1500A (FLEX) on the virtual mainframe', () => {
  let sim: SimServer;
  const trace: string[] = [];
  beforeAll(async () => {
    sim = await startSim({
      model: 'b1500',
      cells: 4,
      seed: 11,
      timeScale: 0,
      trace: (_c, line) => trace.push(line),
    });
  });
  afterAll(() => sim?.close());

  it('numbers are fixed-width ±ddd.dddE±dd, as the mainframe sends them', () => {
    expect(formatFlexNumber(5e-9)).toBe('+500.000E-11');
    expect(formatFlexNumber(-2e-4)).toBe('-200.000E-06');
    expect(formatFlexNumber(0)).toBe('+000.000E+00');
    expect(formatFlexNumber(999.9996)).toBe('+100.000E+01');
    for (const x of [1.234567e-7, -0.0999, 42, 7.5e-13])
      expect(Number(formatFlexNumber(x)) / x).toBeCloseTo(1, 5);
    // Replies as QCoDeS's tests quote the real instrument's.
    expect(parseFlexItems('TI 1', 'NAI+000.005E-06', 1)[0]).toEqual({
      status: 'N',
      channel: 'A',
      type: 'I',
      value: 5e-9,
    });
    expect(parseFlexItems('TI 1', 'VAV+199.999E+99', 1)[0]!.status).toBe('V');
    expect(() => parseFlexItems('TI 1', 'NAI+5E-9', 1)).toThrow(/FMT 1 data item/);
  });

  it('the dialect is strict: unknown commands, bad values and a channel not enabled go to the ERRX? queue, and none of them replies', async () => {
    const replies = await rawQuery(
      sim.port,
      [
        '*RST',
        'XYZ 1',
        'DV 1,0,1',
        'CN 1',
        'DV 1,0,150,1e-3',
        'PT 0,0.1e-3',
        'TI 4',
        'TI 1',
        'ERRX?',
        'ERRX?',
        'ERRX?',
        'ERRX?',
        'ERRX?',
        'ERRX?',
        'UNT?',
        'CL',
        '*LRN? 0',
      ],
      9,
    );
    expect(replies[0]).toMatch(/^NAI[+-]\d{3}\.\d{3}E[+-]\d{2}$/);
    expect(replies.slice(1, 7).map((r) => r.split(',')[0])).toEqual([
      '100',
      '150',
      '120',
      '120',
      '151',
      '+0',
    ]);
    expect(replies[6]).toBe('+0,"No Error."');
    expect(replies[7]).toBe('B1517A,0;B1511B,0;B1530A,0;0,0;0,0;0,0;0,0;0,0;0,0;0,0');
    expect(replies[8]).toBe('CL');
  });

  it("our driver forms, trains and write-verifies a cell on the HRSMU; pulses are the instrument's pulsed spot measurements", async () => {
    const smu = await connectInstrument(sim.resource);
    try {
      expect(smu.driver).toBe('b1500');
      expect(smu.identity.model).toBe('B1500A');
      for (const params of [
        { procedure: 'forming', maxVoltage: 5, compliance: 1e-3, cell: 2 },
        { procedure: 'pulse-train', maxVoltage: 2, compliance: 1e-3, pulses: 6, cycles: 1, cell: 2 },
        { procedure: 'write-verify', maxVoltage: 2, compliance: 1e-3, levels: 3, cell: 2 },
      ]) {
        const points: Array<{ width: number | null; kind: string }> = [];
        const result = await runProcedure(smu, ProcedureParams.parse(params), {
          onPoint: (p) => points.push({ width: p.width, kind: p.kind }),
        });
        expect(result.status, `${params.procedure}: ${JSON.stringify(result.error)}`).toBe('completed');
        expect(sim.instrument.output).toBe(false);
        if (params.procedure === 'pulse-train') {
          const pulses = points.filter((p) => p.kind === 'pulse');
          expect(pulses.length).toBeGreaterThanOrEqual(12);
          expect(pulses.every((p) => p.width !== null && p.width >= 0.5e-3)).toBe(true);
        }
      }
      expect(sim.instrument.die.cells[2]!.state).toBe('formed');
      // The last pulse lasted what was asked: the simulator's own record of the top.
      const asked = ProcedureParams.parse({ procedure: 'write-verify', maxVoltage: 2, compliance: 1e-3 });
      expect(sim.instrument.lastPulseSeconds).toBeCloseTo((asked as { width: number }).width, 9);
      // Pulses were pulsed spot measurements (MM 3 … XE), never host-timed levels.
      expect(trace).toContain('MM 3,1');
      expect(trace.some((l) => /^PT 0,0\.001,0\.005$/.test(l))).toBe(true);
      expect(trace.filter((l) => l === 'XE').length).toBeGreaterThanOrEqual(12);
      const settings = await smu.settings();
      expect(settings).toMatchObject({
        driver: 'b1500',
        slot: 1,
        module: 'B1517A',
        compliance: 1e-3,
        output: false,
      });
      const check = await smu.diagnose();
      expect(check.map((c) => c.status)).not.toContain('fail');
      expect(check.find((c) => c.name === 'command language')!.detail).toMatch(/FLEX/);
      expect(await smu.errors()).toEqual([]);
    } finally {
      await smu.close();
    }
  }, 60_000);

  it('a pulse follows the 0.1 ms grid, reads within its top, and leaves the output at the 0 V base; widths the SMU cannot make are refused', async () => {
    const smu = await connectInstrument(sim.resource);
    try {
      await smu.prepare();
      await smu.selectCell(3);
      await smu.configure({ compliance: 1e-3, nplc: 1 });
      await smu.setVoltage(0);
      await smu.output(true);
      const m = await smu.pulse(0.5, 1.23e-3);
      expect(m.width).toEqual({ nominal: 1.23e-3, achieved: 1.2e-3, basis: 'hardware' });
      expect(sim.instrument.lastPulseSeconds).toBeCloseTo(1.2e-3, 9);
      expect(sim.instrument.level).toBe(0);
      expect(sim.instrument.output).toBe(true);
      // The DC reading is back at 1 PLC on the high-resolution ADC, and nothing was refused.
      expect(await smu.errors()).toEqual([]);
      expect(sim.instrument.nplc).toBeCloseTo(1, 9);
      await expect(smu.pulse(0.5, 100e-6)).rejects.toThrow(/outside what the B1500A's B1517A can make/);
      await expect(smu.configure({ compliance: 1e-3, nplc: 1.5 })).rejects.toThrow(/whole power-line cycles/);
      const off = await smu.switchOff(2000);
      expect(off.confirmed).toBe(true);
      expect(sim.instrument.output).toBe(false);
    } finally {
      await smu.close();
    }
  });

  it('a slot holding the WGFMU is refused by name, and an empty slot is named too', async () => {
    await expect(connectInstrument(sim.resource, { slot: 3 })).rejects.toThrow(/Slot 3 holds a B1530A WGFMU/);
    await expect(connectInstrument(sim.resource, { slot: 5 })).rejects.toThrow(
      /Slot 5 of the B1500A is empty/,
    );
    const second = await connectInstrument(sim.resource, { slot: 2 });
    await expect(second.settings()).resolves.toMatchObject({ slot: 2, module: 'B1511B' });
    await second.close();
  });

  it("PyMeasure's AgilentB1500 driver drives the virtual B1500A without an error", async () => {
    const result = await runProgram(
      TEST_PYTHON,
      ['-B', join(REPO_ROOT, 'test', 'fixtures', 'pymeasure_b1500.py'), sim.resource, '1'],
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(out.id).toMatch(/^Keysight Technologies,B1500A,SIM/);
    expect(out.modules).toBe('B1517A,0;B1511B,0;B1530A,0;0,0;0,0;0,0;0,0;0,0;0,0;0,0');
    expect(out.columns).toEqual(['SMU1 Current (A)']);
    expect(out.current_read as number).toBeGreaterThan(0);
    expect(out.current_read as number).toBeLessThan(1e-6);
    expect(out.at_limit).toBe('CAI+100.0000E-08');
    expect(out.switches).toBe('CL');
    expect(out.format).toEqual(['11', '0']);
    expect(out.error).toBe('+0,"No Error."');
  });
});
