/**
 * One profile from many cells: five programmed cells of a virtual die with device-to-device
 * spread, and a sixth that was formed but never programmed. `profile build` must keep the five,
 * name the one it left out and why, and carry each level's C2C and D2D σ; the D2D σ must follow
 * the simulator's own spread of the cells' windows.
 */
import { afterAll, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import { recordRun, sampleOf } from '../../src/main/services/recorder';
import { Store } from '../../src/main/store/store';
import { ProcedureParams } from '../../src/shared/procedures';
import type { DeviceProfile } from '../../src/shared/profile/schema';
import { sampleStd } from '../../src/shared/stats';
import { runCli } from '../helpers/cli';
import { startSim } from '../helpers/sim';
import { tempDbPath } from '../helpers/temp';

const sim = await startSim({ model: 'b2900', cells: 6, seed: 51, timeScale: 0 });
afterAll(() => sim.close());

it('keeps the usable cells, names the one left out, and carries C2C and D2D σ per level', async () => {
  const db = tempDbPath('chip-profile.db');
  const store = new Store(db);
  const smu = await connectInstrument(sim.resource);
  const sample = await sampleOf(smu);
  try {
    const run = (raw: Record<string, unknown>) => recordRun(store, smu, ProcedureParams.parse(raw), sample);
    for (let cell = 0; cell < 6; cell++) {
      await run({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3, cell });
      // Cell 5 is formed but never programmed: nothing to fit.
      if (cell < 5) await run({ procedure: 'pulse-train', maxVoltage: 3, compliance: 1e-3, cell, cycles: 2 });
    }
  } finally {
    await smu.close();
    store.close();
  }
  const result = await runCli([
    'profile',
    'build',
    '--wafer',
    'virtual',
    '--die',
    sample.die,
    '--cells',
    '0-5',
    '--name',
    'die of five',
    '--db',
    db,
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout) as {
    profile: DeviceProfile;
    kept: number[];
    excluded: Array<{ cell: number; reason: string }>;
    d2dOverC2c: number;
  };
  expect(out.kept).toEqual([0, 1, 2, 3, 4]);
  expect(out.excluded.map((e) => e.cell)).toEqual([5]);
  expect(out.excluded[0]!.reason).toMatch(/no completed pulse train or write-verify/);
  const [chip, oneDevice] = out.profile.tables;
  expect(chip!.cellSpread!.sigma).toBe('c2c+d2d');
  expect(oneDevice!.cellSpread!.sigma).toBe('c2c');
  chip!.levels.forEach((level, k) => {
    const c2c = oneDevice!.levels[k]!.sigma;
    expect(level.sigma).toBeCloseTo(Math.hypot(c2c, level.d2dSigma!), 15);
  });
  // The top level's spread across cells follows the simulator's spread of the cells' Gmax.
  const truth = sim.instrument.die.cells.slice(0, 5).map((c) => c.params.ltp.gMax);
  const top = chip!.levels.at(-1)!;
  const ratio = top.d2dSigma! / sampleStd(truth);
  expect(ratio).toBeGreaterThan(0.4);
  expect(ratio).toBeLessThan(2.5);
  console.log(
    `D2D σ of the top level ${(top.d2dSigma! * 1e6).toFixed(2)} µS vs the cells' Gmax σ ${(sampleStd(truth) * 1e6).toFixed(2)} µS; RMS d2d/c2c ${out.d2dOverC2c.toFixed(2)}`,
  );
  // The profile is in the library, and it reads back.
  const show = await runCli(['profile', 'show', 'die of five', '--db', db, '--json']);
  expect(show.code, show.stderr).toBe(0);
  expect((JSON.parse(show.stdout) as DeviceProfile).notes).toMatch(/Left out: cell 5/);
}, 120_000);
