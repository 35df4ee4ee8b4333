/**
 * Endurance against the simulator's truth: each virtual cell closes its window after its own drawn
 * number of SET/RESET cycles N (the cycle where the window is half open). The endurance run must
 * name a failure cycle that brackets N — after its last good read point, by the failing one —
 * and the statistics must carry it as the chip's cycles to failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import type { Smu } from '../../src/main/instrument/drivers/smu';
import { recordRun, sampleOf } from '../../src/main/services/recorder';
import { chipStatistics } from '../../src/main/services/statistics';
import { Store } from '../../src/main/store/store';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { enduranceReadCycles, ProcedureParams } from '../../src/shared/procedures';
import { startSim } from '../helpers/sim';
import { tempDbPath } from '../helpers/temp';

describe('endurance on the virtual SMU with wear-out', () => {
  let sim: SimServer;
  let smu: Smu;
  beforeAll(async () => {
    sim = await startSim({ model: 'b2900', cells: 3, seed: 21, timeScale: 0, enduranceCycles: 150 });
    smu = await connectInstrument(sim.resource);
  });
  afterAll(async () => {
    await smu?.close();
    await sim?.close();
  });

  it('read points are log-spaced: 1, then 10 per decade, and the last', () => {
    expect(enduranceReadCycles(100, 10)).toEqual([
      1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 63, 79, 100,
    ]);
    expect(enduranceReadCycles(7, 1)).toEqual([1, 7]);
  });

  it("each cell's cycles to failure bracket its drawn endurance, and the chip's statistics carry them", async () => {
    const found: string[] = [];
    const failures: number[] = [];
    const store = new Store(tempDbPath('endurance.db'));
    const sample = await sampleOf(smu);
    const run = async (raw: Record<string, unknown>) =>
      (await recordRun(store, smu, ProcedureParams.parse(raw), sample)).result;
    for (const cell of [0, 1, 2]) {
      const forming = await run({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3, cell });
      expect(forming.summary.formed).toBe(true);
      const truth = sim.instrument.die.cells[cell]!.params.enduranceCycles!;
      const result = await run({
        procedure: 'endurance',
        maxVoltage: 3,
        compliance: 1e-3,
        cycles: 3000,
        cell,
      });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const failedAt = result.summary.cyclesToFailure as number;
      const lastGood = result.summary.lastGoodCycle as number;
      found.push(`cell ${cell}: N ${truth.toFixed(0)}, failed by ${failedAt} (last good ${lastGood})`);
      // The window is below half after N and above it before: the failure lies between the reads,
      // within the read points' spacing (a point spans 5 cycles; 10 points per decade) and ±15 %
      // for the scatter of single cycles.
      expect(failedAt).toBeGreaterThan(0.85 * truth);
      expect(lastGood).toBeLessThan(1.15 * truth);
      expect(failedAt).toBeGreaterThan(lastGood);
      // It stopped there: no cycling of a failed cell to the maximum.
      expect(result.summary.cyclesDone as number).toBeLessThan(1.6 * truth + 10);
      failures.push(failedAt);
    }
    console.log(found.join('; '));
    const stats = chipStatistics(store, sample, 3);
    expect(stats.figures.endurance!.cdf.map((p) => p.value)).toEqual([...failures].sort((a, b) => a - b));
    store.close();
  }, 120_000);
});
