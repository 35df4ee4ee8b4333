/**
 * Progress is what the procedure really does: every procedure, run on the virtual SMU, ends with
 * exactly as many steps done as procedureSteps() promised (time left depends on it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import type { Smu } from '../../src/main/instrument/drivers/smu';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { ProcedureParams, procedureSteps, type ProcedureParamsInput } from '../../src/shared/procedures';
import { startSim } from '../helpers/sim';

describe('progress steps', () => {
  let sim: SimServer;
  let smu: Smu;
  beforeAll(async () => {
    sim = await startSim({ model: '2400', cells: 2 });
    smu = await connectInstrument(sim.resource);
  });
  afterAll(async () => {
    await smu.close();
    await sim.close();
  });

  const cases: ProcedureParamsInput[] = [
    { procedure: 'forming', maxVoltage: 5, compliance: 1e-4 },
    { procedure: 'set', maxVoltage: 3, compliance: 1e-3, vPeak: 2 },
    { procedure: 'reset', maxVoltage: 3, compliance: 1e-3, vPeak: -2 },
    { procedure: 'read', maxVoltage: 1, compliance: 1e-3, count: 7 },
    { procedure: 'pulse-train', maxVoltage: 3, compliance: 1e-3, pulses: 8, cycles: 2 },
    { procedure: 'pulse-train', maxVoltage: 3, compliance: 1e-3, pulses: 8, cycles: 2, prepare: 'none' },
    { procedure: 'write-verify', maxVoltage: 3, compliance: 1e-3, levels: 4, repeats: 2 },
    { procedure: 'write-verify', maxVoltage: 3, compliance: 1e-3, targets: [2e-5, 3e-5, 4e-5], repeats: 2 },
  ];
  it.each(
    cases.map(
      (c) =>
        [
          `${c.procedure}${'prepare' in c ? ' (no prepare)' : 'targets' in c ? ' (targets)' : ''}`,
          c,
        ] as const,
    ),
  )(
    '%s: the last progress is steps/steps, as planned',
    async (_label, input) => {
      const params = ProcedureParams.parse(input);
      const seen: Array<{ done: number; total: number; message?: string }> = [];
      const targetsSeen: Array<{ g: number[]; band: number[] }> = [];
      const result = await runProcedure(smu, params, {
        onProgress: (p) => {
          seen.push({ done: p.done, total: p.total, message: p.message });
          if (p.targets) targetsSeen.push(p.targets);
        },
      });
      expect(result.status, result.error?.message).toBe('completed');
      if (params.procedure === 'forming') {
        // The ramp stops at the forming event: the total shrinks to the steps it took, and says so.
        const steps = seen.filter((p) => p.message?.startsWith('ramp')).length;
        const planned = procedureSteps(params);
        expect(result.summary.formed).toBe(true);
        expect(steps).toBeLessThan(planned);
        expect(seen.at(-1)).toMatchObject({ done: steps, total: steps });
        expect(seen.find((p) => p.message?.startsWith('formed'))?.message).toBe(
          `formed at ${Number(result.summary.formingVoltage).toFixed(2)} V: the ramp stopped at step ${steps} of ${planned}`,
        );
        return;
      }
      if (params.procedure === 'write-verify') {
        // Its targets and bands are announced once known, so the page can draw them live.
        const announced = targetsSeen.at(-1)!;
        expect(announced.g).toEqual(result.summary.targets);
        expect(announced.band).toHaveLength(announced.g.length);
        for (const band of announced.band) expect(band).toBeGreaterThan(0);
      }
      const planned = procedureSteps(params);
      expect(seen.every((p) => p.total === planned)).toBe(true);
      expect(seen.at(-1)).toEqual({ done: planned, total: planned });
      // Never past the end on the way.
      expect(Math.max(...seen.map((p) => p.done))).toBe(planned);
    },
    60_000,
  );
});
