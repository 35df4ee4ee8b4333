/**
 * The Keithley 4200A-SCS through KXCI: NUL-terminated messages, settings answered ACK, readings
 * as status/channel/type letters and a value; our driver runs forming, a pulse train and
 * write-verify on SMU1 of the virtual 4200A (pulses are DV steps timed by the host, and the
 * simulator holds each level for the wall time that passed); a PMU is refused by name; and an
 * independent VISA stack (pyvisa-py) holds PyMeasure's 4200 protocol with it, exchange by exchange.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import { parseCards, parseKxciReading } from '../../src/main/instrument/models/k4200/driver';
import { parseKxciId } from '../../src/main/instrument/scpi/idn';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { formatKxciNumber } from '../../src/main/instrument/models/k4200/kxci';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { ProcedureParams } from '../../src/shared/procedures';
import { REPO_ROOT, runCli } from '../helpers/cli';
import { runProgram, TEST_PYTHON } from '../helpers/python';
import { rawQuery, startSim } from '../helpers/sim';

const NUL = { writeTerminator: 'NUL', readTerminator: 'NUL' } as const;

describe('Keithley 4200A-SCS (KXCI) on the virtual analyzer', () => {
  let sim: SimServer;
  const trace: string[] = [];
  beforeAll(async () => {
    sim = await startSim({
      model: '4200a',
      cells: 4,
      seed: 12,
      timeScale: 0,
      trace: (_c, line) => trace.push(line),
    });
  });
  afterAll(() => sim?.close());

  it("replies parse as PyMeasure's protocol tests quote them, and our numbers read back", () => {
    expect(parseKxciId('KI4200A V4.6.0')).toMatchObject({
      model: '4200A-SCS',
      firmware: 'V4.6.0',
      serial: '',
    });
    expect(parseKxciReading('US;TI1', 'CBI1.345')).toEqual({
      status: 'C',
      channel: 'B',
      type: 'I',
      value: 1.345,
    });
    expect(parseKxciReading('US;TV1', 'NAV-2.5E-06').value).toBe(-2.5e-6);
    expect(() => parseKxciReading('US;TI1', 'ACK')).toThrow(/NAI\+1\.2345E-06/);
    expect(parseCards('SMU1,SMUPA2,SMU3,SMU4,VM1,VS2,CVU1').smus).toEqual(
      new Map([
        [1, 'SMU1'],
        [2, 'SMUPA2'],
        [3, 'SMU3'],
        [4, 'SMU4'],
      ]),
    );
    expect(formatKxciNumber(1.2345e-6)).toBe('+1.2345E-06');
    expect(formatKxciNumber(-0.5)).toBe('-5.0000E-01');
    expect(formatKxciNumber(0)).toBe('+0.0000E+00');
  });

  it('the dialect is strict: a bad command or value answers nothing and sets the status byte, which SP reads and clears', async () => {
    const replies = await rawQuery(
      sim.port,
      [
        'ID',
        'US;DV1,0,300,1e-3',
        'US;XX1',
        'SP',
        'SP',
        'US;DV1,0,0.1,1e-4',
        'US;TI1',
        'US;DV1',
        'US;TV1',
        '*OPT?',
      ],
      8,
      '\0',
    );
    expect(replies[0]).toMatch(/^KI4200A V\S+ SIM/);
    expect(replies.slice(1, 3)).toEqual(['2', '0']); // the two refusals answered nothing
    expect(replies[3]).toBe('ACK');
    expect(replies[4]).toMatch(/^NAI\+\d\.\d{4}E-\d\d$/);
    expect(replies[5]).toBe('ACK');
    expect(replies[6]).toBe('NAV+0.0000E+00');
    expect(replies[7]).toBe('SMU1,SMUPA2,PMU1,CVU1');
  });

  it('our driver forms, trains and write-verifies a cell on SMU1 with host-timed DV pulses; the output ends at 0 V, off', async () => {
    const smu = await connectInstrument(sim.resource, NUL);
    try {
      expect(smu.driver).toBe('4200a');
      expect(smu.identity.model).toBe('4200A-SCS');
      expect(smu.virtual).toBe(true);
      const min = smu.pulseWidthRange().min;
      expect(min).toBeGreaterThanOrEqual(5e-3);
      // Host-timed pulses: the shortest is three round trips and a reading (21 ms idle here), and a
      // loaded CI machine once stretched it to 63 ms, past a fixed 50 ms. The width keeps a margin.
      const width = Math.max(50e-3, 2.5 * min);
      for (const params of [
        { procedure: 'forming', maxVoltage: 5, compliance: 1e-3, cell: 2 },
        { procedure: 'pulse-train', maxVoltage: 2, compliance: 1e-3, pulses: 6, cycles: 1, width, cell: 2 },
        { procedure: 'write-verify', maxVoltage: 2, compliance: 1e-3, levels: 3, width, cell: 2 },
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
          // Host-timed: the recorded width is what the host measured. Unpaced, the simulator's
          // readings take no wall time, so a top is short by up to the integration (20 ms at 1 PLC).
          const widths = pulses.map((p) => p.width ?? NaN);
          const slack = Math.max(25e-3, 0.3 * width);
          expect(Math.min(...widths), widths.join()).toBeGreaterThan(width - slack);
          expect(Math.max(...widths), widths.join()).toBeLessThan(width + slack);
        }
      }
      expect(sim.instrument.die.cells[2]!.state).toBe('formed');
      expect(trace.some((l) => /^US;DV1,0,-?[\d.]+,0\.001$/.test(l))).toBe(true);
      expect(trace).toContain('US;DV1');
      const settings = await smu.settings();
      expect(settings).toMatchObject({
        driver: '4200a',
        smu: 1,
        card: 'SMU1',
        pulseTiming: 'host',
        output: false,
      });
      const check = await smu.diagnose();
      expect(check.map((c) => c.status)).not.toContain('fail');
      expect(check.find((c) => c.name === 'command language')!.detail).toMatch(/KXCI/);
      expect(await smu.errors()).toEqual([]);
    } finally {
      await smu.close();
    }
  }, 120_000);

  it('a pulse holds its level for about its width in the simulator, reads at its top, and is refused below the floor', async () => {
    // Paced in real time, so the simulator's record of the top is in the host's seconds.
    const paced = await startSim({ model: '4200a', cells: 4, seed: 13, timeScale: 1 });
    const smu = await connectInstrument(paced.resource, NUL);
    try {
      await smu.prepare();
      await smu.selectCell(3);
      await smu.configure({ compliance: 1e-3, nplc: 0.1 });
      await smu.setVoltage(0);
      await smu.output(true);
      // The floor follows the measured round trip: twice it (at least 20 ms) holds on a loaded machine.
      const width = Math.max(20e-3, 2 * smu.pulseWidthRange().min);
      const m = await smu.pulse(0.5, width);
      expect(m.width!.basis).toBe('host');
      // The host's estimate and the simulator's own record of the top agree within a few ms.
      const top = paced.instrument.lastPulseSeconds;
      expect(top).toBeGreaterThan(width - 2e-3);
      expect(top).toBeLessThan(width + 20e-3);
      expect(Math.abs(m.width!.achieved - top)).toBeLessThan(5e-3);
      expect(m.vSource).toBe(0.5);
      expect(m.i).toBeGreaterThan(0);
      expect(paced.instrument.level).toBe(0);
      await expect(smu.pulse(0.5, 1e-3)).rejects.toThrow(/timed by this computer/);
      await expect(smu.configure({ compliance: 1e-3, nplc: 1, currentRange: 1e-6 })).rejects.toThrow(
        /autorange/,
      );
      const off = await smu.switchOff(2000);
      expect(off.confirmed).toBe(true);
      expect(paced.instrument.output).toBe(false);
      expect(await smu.errors()).toEqual([]);
    } finally {
      await smu.close();
      await paced.close();
    }
  });

  it('doctor --instrument … --term NUL names the cards and KXCI, warns that pulses are host-timed, and fails nothing', async () => {
    const result = await runCli(['doctor', '--instrument', sim.resource, '--term', 'NUL', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      items: Array<{ name: string; status: string; detail: string }>;
    };
    const item = (name: string) => report.items.find((i) => i.name === name)!;
    expect(item('cards').detail).toBe('SMU1,SMUPA2,PMU1,CVU1 (driving SMU1)');
    expect(item('terminators').detail).toMatch(/commands end in NUL, replies in NUL/);
    expect(item('shortest pulse')).toMatchObject({ status: 'warn' });
    expect(report.items.map((i) => i.status)).not.toContain('fail');
  });

  it('a PMU is refused by name, a missing SMU is named, and the open SMUPA2 can be chosen', async () => {
    await expect(connectInstrument(sim.resource, { ...NUL, slot: 3 })).rejects.toThrow(
      /has no SMU3\. Choose an SMU \(cards: SMU1,SMUPA2,PMU1,CVU1\); PMU1 is a pulse measure unit/,
    );
    await expect(connectInstrument(sim.resource, { ...NUL, slot: 7 })).rejects.toThrow(
      /has no SMU7\. Choose/,
    );
    const second = await connectInstrument(sim.resource, { ...NUL, slot: 2 });
    await expect(second.settings()).resolves.toMatchObject({ smu: 2, card: 'SMUPA2' });
    await second.close();
  });

  it("pyvisa-py, NUL-terminated as PyMeasure's Keithley4200 sets it up, runs PyMeasure's tested exchanges without an error", async () => {
    const result = await runProgram(
      TEST_PYTHON,
      ['-B', join(REPO_ROOT, 'test', 'fixtures', 'pyvisa_kxci.py'), sim.resource, '1'],
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(out.id).toMatch(/^KI4200A V/);
    expect(out.smus).toEqual([1, 2]);
    expect(out.current as number).toBeGreaterThan(0);
    expect(out.current as number).toBeLessThan(1e-6);
    expect(out.voltage as number).toBeCloseTo(0.1, 6);
    expect(out.status).toBe(1); // data ready, no syntax error
  });
});
