/**
 * The guard between procedures and a real driver, on the virtual SMU: nothing is sourced before
 * a compliance is set, nothing above the maximum |V|, no pulse the instrument cannot make — and
 * each refusal leaves the instrument untouched (output still off, no command sent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import type { Smu } from '../../src/main/instrument/drivers/smu';
import { GuardedSmu } from '../../src/main/instrument/guard';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { startSim } from '../helpers/sim';

describe('GuardedSmu on a real driver', () => {
  let sim: SimServer;
  let smu: Smu;
  const lines: string[] = [];
  beforeAll(async () => {
    sim = await startSim({ model: '2400', trace: (_c, line) => lines.push(line) });
    smu = await connectInstrument(sim.resource);
  });
  afterAll(async () => {
    await smu.close();
    await sim.close();
  });

  it('refuses output, measurements and pulses before the compliance is set', async () => {
    const guarded = new GuardedSmu(smu, { maxVoltage: 2, maxCompliance: 1e-3 });
    await guarded.prepare();
    const sent = lines.length;
    await expect(guarded.output(true)).rejects.toMatchObject({
      code: 'SAFETY',
      message: /compliance has not been set/,
    });
    await expect(guarded.measure()).rejects.toMatchObject({ code: 'SAFETY' });
    await expect(guarded.pulse(1, 1e-3)).rejects.toMatchObject({ code: 'SAFETY' });
    expect(lines.slice(sent)).toEqual([]);
    expect(await smu.outputState()).toBe(false);
  });

  it('refuses a level above the maximum |V| and a pulse the instrument cannot make, sending nothing', async () => {
    const guarded = new GuardedSmu(smu, { maxVoltage: 2, maxCompliance: 1e-3 });
    await guarded.prepare();
    await guarded.configure({ compliance: 1e-4, nplc: 1, sense: '2w', autoZero: true });
    const sent = lines.length;
    await expect(guarded.setVoltage(2.5)).rejects.toMatchObject({
      code: 'SAFETY',
      message: /exceeds the maximum \|V\| of 2 V/,
    });
    await expect(guarded.pulse(-3, 1e-3)).rejects.toMatchObject({ code: 'SAFETY' });
    const { min } = smu.pulseWidthRange();
    await expect(guarded.pulse(1, min / 10)).rejects.toMatchObject({
      code: 'SAFETY',
      message: /µs pulse is outside what the 2400 makes .*; nothing was sent/,
    });
    expect(lines.slice(sent)).toEqual([]);
    expect(await smu.outputState()).toBe(false);
    // Within the limits it works.
    const m = await guarded.pulse(1, Math.max(min, 1e-3));
    // A 2400 pulse measures current only: the level it applied, and a current.
    expect(m.vSource).toBe(1);
    expect(m.i).not.toBeNull();
    await guarded.safe();
  });

  it('refuses limits the instrument itself cannot hold', () => {
    expect(() => new GuardedSmu(smu, { maxVoltage: 500, maxCompliance: 1e-3 })).toThrow(
      /maximum \|V\| must be between 0 and 210 V/,
    );
  });
});
