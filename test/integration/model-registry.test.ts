import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcedureParams } from '../../src/shared/procedures';
import { connectInstrument } from '../../src/main/instrument/connect';
import type { Smu } from '../../src/main/instrument/drivers/smu';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import {
  driverEntryFor,
  findSmuModel,
  smuModel,
  SMU_MODEL_LIST,
} from '../../src/main/instrument/models/registry';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { outputIsOn, startSim } from '../helpers/sim';

const MODELS_DIR = path.resolve(__dirname, '../../src/main/instrument/models');

describe('the model registry: one folder and one entry per model', () => {
  it('every model folder is registered, and every entry has its folder with facts, driver and index', () => {
    const folders = readdirSync(MODELS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.length).toBe(SMU_MODEL_LIST.length);
    for (const folder of folders)
      for (const file of ['facts.ts', 'driver.ts', 'index.ts'])
        expect(existsSync(path.join(MODELS_DIR, folder, file)), `${folder}/${file}`).toBe(true);
    const ids = SMU_MODEL_LIST.map((m) => m.info.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('finds a model in any case and refuses an unknown one by listing the known', () => {
    expect(findSmuModel(' B2900 ')?.info.id).toBe('b2900');
    expect(() => smuModel('2410x')).toThrow(/No instrument model '2410x'; the models are 2400, 2450/);
  });

  // Each model's simulator answers in its own language, and the registry picks that model's
  // driver from the identity it gives: the two halves of a folder agree.
  describe.each(SMU_MODEL_LIST.map((m) => [m.info.id, m] as const))('%s', (id, model) => {
    let sim: SimServer | undefined;
    let smu: Smu | undefined;
    afterEach(async () => {
      await smu?.close();
      await sim?.close();
      smu = undefined;
      sim = undefined;
    });

    it('its driver runs its simulator: identified, read, output off confirmed', async () => {
      sim = await startSim({ model: id, seed: 5 });
      const terminator = model.info.lanTerminator;
      smu = await connectInstrument(
        sim.resource,
        terminator ? { writeTerminator: terminator, readTerminator: terminator } : {},
      );
      expect(driverEntryFor(smu.identity).model).toBe(id);
      expect(smu.virtual).toBe(true);
      expect(smu.capabilities.maxVoltage).toBeLessThanOrEqual(model.info.maxVoltage);
      expect(smu.capabilities.maxCompliance).toBeLessThanOrEqual(model.info.maxCompliance);
      const points: number[] = [];
      const result = await runProcedure(
        smu,
        ProcedureParams.parse({ procedure: 'read', count: 2, maxVoltage: 5, compliance: 1e-3 }),
        { onPoint: (p) => points.push(p.i ?? Number.NaN) },
      );
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('completed');
      expect(points).toHaveLength(2);
      expect(points.every((current) => Number.isFinite(current))).toBe(true);
      const off = await smu.switchOff(3000);
      expect(off.confirmed).toBe(true);
      // The simulator's own record, not the driver's word.
      expect(sim.instrument.output).toBe(false);
      if (!model.simulator.interpreter) expect(await outputIsOn(sim.port)).toBe(false);
    });
  });
});
