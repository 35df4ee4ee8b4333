/**
 * V_SET and V_RESET on the virtual SMU's cells: each sweep stores its switching voltage and the
 * rule that found it in the run summary (src/shared/levels/switching.ts; analytic cases in
 * test/unit/switching.test.ts).
 */
import { afterAll, expect, it } from 'vitest';
import { ProcedureParams } from '../../src/shared/procedures';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { startSim } from '../helpers/sim';

const sim = await startSim({ model: '2450', seed: 5 });
afterAll(() => sim.close());

it('a RESET sweep gives V_RESET where |I| peaks before it falls, a SET sweep gives V_SET at the current limit', async () => {
  const smu = await connectInstrument(`TCPIP::127.0.0.1::${sim.port}::SOCKET`);
  try {
    const run = async (raw: Record<string, unknown>) => {
      const result = await runProcedure(smu, ProcedureParams.parse(raw));
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      return result.summary as { switchingVoltage?: number | null; switchingCriterion?: string };
    };
    await run({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3 });
    const reset = await run({ procedure: 'reset', maxVoltage: 3, compliance: 1e-3, vPeak: -2 });
    const set = await run({ procedure: 'set', maxVoltage: 3, compliance: 30e-6, vPeak: 2 });
    console.log(
      `virtual AlOx/HfO2 cell: V_RESET ${reset.switchingVoltage} V (${reset.switchingCriterion}); V_SET ${set.switchingVoltage} V (${set.switchingCriterion})`,
    );
    expect(reset.switchingVoltage).toBeLessThan(0);
    expect(reset.switchingVoltage).toBeGreaterThanOrEqual(-2);
    expect(reset.switchingCriterion).toMatch(/largest \|I\|/);
    expect(set.switchingVoltage).toBeGreaterThan(0);
    expect(set.switchingVoltage).toBeLessThanOrEqual(2);
    expect(set.switchingCriterion).toMatch(/current limit|jumped/);
  } finally {
    await smu.close();
  }
});
