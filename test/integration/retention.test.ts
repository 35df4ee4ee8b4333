/**
 * Retention against the simulator's truth: each virtual cell's levels drift as a power law with
 * ν set by the cell's drawn ν_max and the level's place in the window. The retention run programs
 * the levels, lets instrument time pass (`:SIM:WAIT`), and its fitted ν per level must match the
 * truth; the power law must be named the better fit; a die without drift must give ν ≈ 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import type { SimServer } from '../../src/main/virtual-smu/server';
import type { DriftFit } from '../../src/shared/levels/drift';
import { ProcedureParams } from '../../src/shared/procedures';
import { startSim } from '../helpers/sim';

const sims: SimServer[] = [];
afterAll(async () => Promise.all(sims.map((s) => s.close())));

async function retentionOn(driftNu: number | undefined) {
  const sim = await startSim({
    model: 'b2900',
    cells: 2,
    seed: 31,
    timeScale: 0,
    ...(driftNu ? { driftNu } : {}),
  });
  sims.push(sim);
  const smu = await connectInstrument(sim.resource);
  try {
    const forming = await runProcedure(
      smu,
      ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3, cell: 1 }),
    );
    expect(forming.summary.formed).toBe(true);
    const result = await runProcedure(
      smu,
      ProcedureParams.parse({
        procedure: 'retention',
        maxVoltage: 3,
        compliance: 1e-3,
        cell: 1,
        levels: 3,
        duration: 10_000,
        readsPerDecade: 4,
      }),
    );
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const cell = sim.instrument.die.cells[1]!;
    return { result, cell, sim };
  } finally {
    await smu.close();
  }
}

describe('retention on the virtual SMU', () => {
  it('fitted ν per level matches the cell’s drift law, and the power law is the better fit', async () => {
    // A strong drift (ν up to ~0.1): over four decades the power law's curvature is well above the
    // 0.5 % read noise, so the form can be told apart, not only ν measured.
    const { result, cell, sim } = await retentionOn(0.1);
    const retention = result.summary.retention as { levels: Array<{ programmed: number; fit: DriftFit }> };
    const p = cell.params;
    const [gMin, gMax] = [Math.min(p.ltp.gMin, p.ltd.gMin), Math.max(p.ltp.gMax, p.ltd.gMax)];
    const seen: string[] = [];
    for (const level of retention.levels) {
      const x = Math.min(1, Math.max(0, (level.programmed - gMin) / (gMax - gMin)));
      const truth = p.driftNu! * (0.2 + 0.8 * 4 * x * (1 - x));
      seen.push(
        `G ${(level.programmed * 1e6).toFixed(1)} µS: ν ${level.fit.powerLaw.nu.toFixed(4)} (truth ${truth.toFixed(4)})`,
      );
      expect(Math.abs(level.fit.powerLaw.nu - truth)).toBeLessThan(0.1 * truth + 0.002);
      expect(level.fit.better).not.toBe('log-linear');
    }
    console.log(seen.join('; '));
    expect(result.summary.driftBetter).toBe('power-law');
    // The waits were instrument time: 3 levels × 10,000 s passed on the virtual clock.
    expect(sim.instrument.clock).toBeGreaterThan(30_000);
  }, 60_000);

  it('a die without drift gives ν ≈ 0 on every level', async () => {
    const { result } = await retentionOn(undefined);
    for (const nu of result.summary.driftNu as number[]) expect(Math.abs(nu)).toBeLessThan(0.002);
  }, 60_000);
});
