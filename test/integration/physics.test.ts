import { describe, expect, it } from 'vitest';
import { fitPulseTrain, levelTableFromPulseTrain } from '../../src/shared/levels/extract';
import { assessLevelTable } from '../../src/shared/levels/quality';
import { DEVICE_PRESETS } from '../../src/shared/levels/presets';
import { ProcedureParams } from '../../src/shared/procedures';
import type { Point } from '../../src/shared/run';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { startSim } from '../helpers/sim';

async function measureTrain(presetName: string, noiseScale: number, pulses: number, cycles = 1, seed = 2) {
  const preset = DEVICE_PRESETS.find((p) => p.name === presetName)!;
  const sim = await startSim({ preset: presetName, noiseScale, d2dScale: 0, seed });
  const connection = await connectInstrument(sim.resource);
  try {
    // Forming compliance scaled to the device: enough to form it, far below what would short it.
    const compliance = Math.min(1e-3, 20 * preset.gMax * 3);
    const formed = await runProcedure(
      connection,
      ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance }),
    );
    expect(formed.summary.formed).toBe(true);
    const points: Point[] = [];
    const result = await runProcedure(
      connection,
      ProcedureParams.parse({ procedure: 'pulse-train', maxVoltage: 2, compliance, pulses, cycles }),
      {
        onPoint: (p) => points.push(p),
      },
    );
    expect(result.status).toBe('completed');
    return { preset, fit: fitPulseTrain(points), points };
  } finally {
    await connection.close();
    await sim.close();
  }
}

const within = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance);

describe('virtual SMU physics: a measured pulse train recovers the published device', () => {
  it.each(DEVICE_PRESETS.map((p) => p.name))(
    '%s at σ = 0: Gmin, Gmax and NL within 5 percent',
    async (name) => {
      const { preset, fit } = await measureTrain(
        name,
        0,
        DEVICE_PRESETS.find((p) => p.name === name)!.levelsLtp,
      );
      within(fit.ltp.gMin, preset.gMin, 0.05);
      within(fit.ltp.gMax, preset.gMax, 0.05);
      within(fit.ltp.nl, preset.nlLtp, 0.05);
      const ltd =
        preset.levelsLtd === preset.levelsLtp
          ? fit.ltd!
          : (await measureTrain(name, 0, preset.levelsLtd)).fit.ltd!;
      within(ltd.nl, Math.abs(preset.nlLtd), 0.05);
      within(ltd.gMin, preset.gMin, 0.05);
    },
  );

  it("the guide's default path on AlOx/HfO2 (40 pulses × 5 cycles): the fit is right, the scatter is the device's per-pulse noise, and the verdict says so", async () => {
    // Noise-free, the same path recovers the preset exactly (the case above); with the preset's 5 %
    // per-pulse noise the state random-walks along the train, which the verdict explains.
    const noisy = await measureTrain('AlOx/HfO2', 1, 40, 5, 1);
    const table = levelTableFromPulseTrain(noisy.points, undefined, {
      name: 'default path',
      provenance: { runIds: [1], createdAt: '2026-01-01T00:00:00Z', softwareVersion: 'test' },
    });
    const quality = assessLevelTable(table);
    expect(noisy.fit.ltp.c2cSigma).toBeGreaterThan(0.08);
    expect(quality.reasons.join(' ')).toMatch(
      /wander .* % of the window .* not by device-to-device variation/,
    );
    const clean = await measureTrain('AlOx/HfO2', 0, 40, 5, 1);
    within(clean.fit.ltp.nl, 1.94, 0.01);
  });

  it('the spread around the fitted curve grows with the cycle-to-cycle σ', async () => {
    const rmse: number[] = [];
    // Up to the preset's own noise: at 2× a 3-cycle train is no longer monotonic enough to fit.
    for (const scale of [0, 0.25, 0.5, 1])
      rmse.push((await measureTrain('AlOx/HfO2', scale, 40, 3, 9)).fit.ltp.c2cSigma);
    console.log(
      'AlOx/HfO2 residual σ (fraction of the window) at noise scale 0, 0.25, 0.5, 1:',
      rmse.map((r) => r.toFixed(4)).join(', '),
    );
    expect(rmse[0]).toBeLessThan(1e-6);
    for (let k = 1; k < rmse.length; k++) expect(rmse[k]!).toBeGreaterThan(rmse[k - 1]!);
  });
});
