/**
 * The procedures are one table (shared/procedures.ts): which runs yield a level table is read
 * from it, also for procedure names that come back from an old database, and every entry's step
 * count is what a run of it takes (the runner's progress relies on it).
 */
import { describe, expect, it } from 'vitest';
import {
  LEVEL_TABLE_PROCEDURES,
  PROCEDURE_SCHEMAS,
  ProcedureParams,
  procedureSteps,
  yieldsLevelTable,
} from '../../src/shared/procedures';

describe('the procedure table', () => {
  it('names the procedures whose runs fit into a level table, and nothing else', () => {
    expect(LEVEL_TABLE_PROCEDURES).toEqual(['pulse-train', 'write-verify']);
    expect(yieldsLevelTable('write-verify')).toBe(true);
    for (const name of ['forming', 'retention', 'endurance', 'read', 'no-such', 'toString', '__proto__'])
      expect(yieldsLevelTable(name), name).toBe(false);
  });

  it("counts each procedure's steps from its own parameters", () => {
    const base = { maxVoltage: 3, compliance: 1e-3, cell: 0 };
    const steps = (p: Record<string, unknown>) => procedureSteps(ProcedureParams.parse({ ...base, ...p }));
    expect(steps({ procedure: 'forming', vStart: 0, vStop: 3, vStep: 0.05 })).toBe(61);
    expect(steps({ procedure: 'set', vPeak: 2, vStep: 0.05 })).toBe(82);
    expect(steps({ procedure: 'read', count: 7 })).toBe(7);
    expect(steps({ procedure: 'pulse-train', pulses: 10, cycles: 2, prepare: 'reset' })).toBe(50);
    expect(steps({ procedure: 'write-verify', levels: 4, repeats: 2 })).toBe(10);
    expect(steps({ procedure: 'endurance', cycles: 300 })).toBe(300);
    // Reads at 1, 10^(1/2), 10, … 1000 s: 7 per level, plus the level's write, plus two.
    expect(
      steps({ procedure: 'retention', levels: 2, firstRead: 1, duration: 1000, readsPerDecade: 2 }),
    ).toBe(2 + 2 * (7 + 1));
    expect(Object.keys(PROCEDURE_SCHEMAS)).toHaveLength(8);
  });
});
