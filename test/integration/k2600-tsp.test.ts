/**
 * The Keithley 2600B in its own language, TSP: our driver runs forming, a pulse train and
 * write-verify against the virtual 2636B; pulses are timed by the instrument's trigger model
 * from an uploaded script (the simulator's own record of each pulse's length is the truth); the
 * dialect is as strict as the instrument (Lua errors in the queue, no reply); and PyMeasure's own
 * Keithley2600 driver and QCoDeS's Keithley2636B driver (both vendored) talk to it without an
 * error.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { ProcedureParams } from '../../src/shared/procedures';
import { REPO_ROOT } from '../helpers/cli';
import { runProgram, TEST_PYTHON } from '../helpers/python';
import { rawQuery, startSim } from '../helpers/sim';

describe('Keithley 2600B (TSP) on the virtual 2636B', () => {
  let sim: SimServer;
  const trace: string[] = [];
  beforeAll(async () => {
    sim = await startSim({
      model: '2600',
      cells: 4,
      seed: 9,
      timeScale: 0,
      trace: (_c, line) => trace.push(line),
    });
  });
  afterAll(() => sim?.close());

  it('the dialect is strict: a Lua syntax error is -285, an unknown attribute -286, out of range -222, and none of them replies', async () => {
    const replies = await rawQuery(
      sim.port,
      [
        'print(',
        'smua.source.levelvx = 1',
        'smua.measure.nplc = 30',
        'smua.source.compliance = true', // read-only
        'print(errorqueue.count)',
        'print(errorqueue.next())',
        'print(errorqueue.next())',
        'print(errorqueue.next())',
        'print(errorqueue.next())',
        'print(errorqueue.next())',
      ],
      6,
    );
    expect(replies[0]).toBe('4.00000e+00');
    expect(replies.slice(1, 5).map((r) => r.split('\t').slice(0, 2))).toEqual([
      ['-2.85000e+02', "TSP Syntax error at line 1: unexpected symbol near '<eof>'"],
      ['-2.86000e+02', "TSP Runtime error at line 1: attempt to index field 'levelvx' (a nil value)"],
      ['-2.22000e+02', 'Data out of range'],
      ['-2.86000e+02', "TSP Runtime error at line 1: attribute 'smua.source.compliance' is read-only"],
    ]);
    expect(replies[5]).toBe('0.00000e+00\tQueue Is Empty\t0.00000e+00\t0.00000e+00');
  });

  it("our driver forms, trains and write-verifies a cell; pulses are the trigger model's, from the uploaded script", async () => {
    const smu = await connectInstrument(sim.resource);
    try {
      expect(smu.driver).toBe('k2600');
      expect(smu.identity.model).toBe('2636B');
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
          // Each pulse's width as the instrument timed it: the script sets timer 1 to it.
          expect(pulses.every((p) => p.width !== null && p.width >= 100e-6)).toBe(true);
        }
      }
      expect(sim.instrument.die.cells[2]!.state).toBe('formed');
      // The last pulse (write-verify's) lasted what was asked: the trigger model's own record.
      const asked = ProcedureParams.parse({ procedure: 'write-verify', maxVoltage: 2, compliance: 1e-3 });
      expect(sim.instrument.lastPulseSeconds).toBeCloseTo((asked as { width: number }).width, 9);
      // Pulses came from the script, loaded with loadscript … endscript, never host-timed.
      expect(trace).toContain('loadscript reram_bench_pulse');
      expect(trace).toContain('endscript');
      expect(trace.some((l) => /reram_bench_pulse\(\)$/.test(l))).toBe(true);
      expect(trace).toContain('smua.trigger.endpulse.action = smua.SOURCE_IDLE');
      // The settings snapshot and the bring-up check speak TSP.
      const settings = await smu.settings();
      expect(settings).toMatchObject({ driver: 'k2600', channel: 'smua', compliance: 1e-3 });
      const check = await smu.diagnose();
      expect(check.map((c) => c.status)).not.toContain('fail');
      expect(check.find((c) => c.name === 'command language')!.detail).toMatch(/TSP/);
      expect(await smu.errors()).toEqual([]);
    } finally {
      await smu.close();
    }
  }, 60_000);

  it('a pulse is as long as asked when the reading fits, and longer (never shorter) when it does not', async () => {
    const smu = await connectInstrument(sim.resource);
    try {
      await smu.prepare();
      await smu.selectCell(3);
      await smu.configure({ compliance: 1e-3, nplc: 0.01 });
      await smu.setVoltage(0);
      await smu.output(true);
      await smu.pulse(0.5, 2e-3);
      expect(sim.instrument.lastPulseSeconds).toBeCloseTo(2e-3, 9);
      // The level is back at 0 V between pulses: the end-pulse action returned it.
      expect(sim.instrument.level).toBe(0);
      // With 1 PLC configured, a 1 ms pulse reads within its top (a shorter integration), on time.
      await smu.configure({ compliance: 1e-3, nplc: 1 });
      await smu.pulse(0.5, 1e-3);
      expect(sim.instrument.lastPulseSeconds).toBeCloseTo(1e-3, 9);
      // DC reads are back at the configured integration.
      expect(sim.instrument.nplc).toBe(1);
      // Below the shortest reading (0.001 PLC and its overhead) nothing is sent.
      expect(smu.pulseWidthRange().min).toBeCloseTo(120e-6, 9);
      await expect(smu.pulse(0.5, 50e-6)).rejects.toThrow(/outside what the 2636B can make/);
      const off = await smu.switchOff(2000);
      expect(off.confirmed).toBe(true);
      expect(sim.instrument.output).toBe(false);
    } finally {
      await smu.close();
    }
  });

  it("PyMeasure's Keithley2600 driver (vendored) drives the virtual 2636B without an error", async () => {
    // Asynchronously: the simulator runs in this process and must keep answering.
    const result = await runProgram(
      TEST_PYTHON,
      ['-B', join(REPO_ROOT, 'test', 'fixtures', 'pymeasure_k2600.py'), sim.resource, '1'],
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(out.id).toMatch(/^Keithley Instruments Inc\., Model 2636B, SIM/);
    expect(out.source_mode).toBe('voltage');
    expect(out.compliance_current).toBeCloseTo(1e-6);
    expect(out.nplc).toBeCloseTo(1);
    expect(out.current_read as number).toBeGreaterThan(0);
    expect(out.current_read as number).toBeLessThan(1e-6);
    expect(out.current_at_limit as number).toBeCloseTo(1e-6, 9);
    expect(out.tripped).toBe('true');
    expect(out.output).toBe('OFF');
    expect(out.error).toEqual([0, 'Queue Is Empty']);
    expect(out.channel_b_limit).toBeCloseTo(1e-3);
  });

  it("QCoDeS's Keithley2636B driver (vendored) sets, reads and snapshots the virtual 2636B without an error", async () => {
    const result = await runProgram(
      TEST_PYTHON,
      ['-B', join(REPO_ROOT, 'test', 'fixtures', 'qcodes_k2600.py'), sim.resource, '3'],
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
      idn: Record<string, string>;
      model: string;
      curr_read: number;
      status_read: string;
      res_read: number;
      curr_limit: number;
      status_limit: string;
      output: boolean;
      sourcerange_v: number;
      measurerange_i: number;
      snapshot: Record<'smua' | 'smub', Record<string, unknown>>;
      rangev_from_5: number;
      error_count: number;
    };
    // QCoDeS checks localnode.model against its list and parses *IDN?.
    expect(out.model).toBe('2636B');
    expect(out.idn).toMatchObject({ vendor: 'Keithley Instruments Inc.', model: '2636B' });
    // A pristine cell at 0.1 V: well under the limit, and the measurement status register says so.
    expect(out.curr_read).toBeGreaterThan(0);
    expect(out.curr_read).toBeLessThan(1e-6);
    expect(out.status_read).toBe('NORMAL');
    // measure.r() is a reading of its own (read noise): V/I within a few percent of the first.
    expect(Math.abs(out.res_read * out.curr_read - 0.1)).toBeLessThan(0.005);
    // At 3.5 V the cell forms into the 1 µA limit: ILMT (bit 1) of the status register.
    expect(out.curr_limit).toBeCloseTo(1e-6, 9);
    expect(out.status_limit).toBe('CURRENT_COMPLIANCE_ERROR');
    expect(out.output).toBe(false);
    expect(out.sourcerange_v).toBe(20);
    // A range set to a value is the lowest range that holds it.
    expect(out.rangev_from_5).toBe(20);
    expect(out.measurerange_i).toBe(1e-6);
    // Every parameter QCoDeS reads in a snapshot has an answer, on both channels.
    for (const channel of ['smua', 'smub'] as const) {
      const values = out.snapshot[channel];
      for (const name of [
        'mode',
        'output',
        'linefreq',
        'nplc',
        'sourcerange_v',
        'measurerange_v',
        'sourcerange_i',
        'measurerange_i',
        'limitv',
        'limiti',
      ])
        expect(values[name], `${channel}.${name}`).not.toBeNull();
    }
    expect(out.snapshot.smua.limiti).toBeCloseTo(1e-6);
    expect(out.snapshot.smub.limitv).toBe(20);
    expect(out.error_count).toBe(0);
    expect(sim.instrument.die.cells[3]!.state).toBe('formed');
    expect(sim.instrument.output).toBe(false);
  });
});
