import { describe, expect, it } from 'vitest';
import { cellGuardReason, isFormingEvent } from '../../src/shared/cell-guard';
import {
  cellHarmWarnings,
  complianceCeiling,
  GENERIC_COMPLIANCE_CEILING,
  instrumentLimitErrors,
} from '../../src/shared/procedure-checks';
import { ProcedureParams } from '../../src/shared/procedures';

const train = (extra: object = {}) =>
  ProcedureParams.parse({ procedure: 'pulse-train', maxVoltage: 3, compliance: 1e-3, ...extra });

describe('checks before Start', () => {
  it('refuses what the instrument cannot make: 100 PLC on a 2400 (0.01–10), a 1 µs pulse', () => {
    const limits = { pulseWidth: { min: 0.5e-3, max: 1 }, nplc: { min: 0.01, max: 10 } };
    expect(instrumentLimitErrors({ nplc: 100, width: 1e-6 }, limits)).toEqual({
      nplc: 'This instrument integrates from 0.01 to 10 PLC',
      width: 'This instrument makes pulses from 500 µs to 1 s',
    });
    expect(instrumentLimitErrors({ nplc: 10, width: 0.5e-3 }, limits)).toEqual({});
  });

  it('warns when every read would program the cell (read 2 V over 1.5 V pulses), not at 0.1 V', () => {
    const warnings = cellHarmWarnings(train({ readV: 2 }), GENERIC_COMPLIANCE_CEILING);
    expect(warnings.map((w) => w.field)).toEqual(['readV']);
    expect(warnings[0]!.message).toMatch(/2 V\) is at or above the programming voltage \(1\.5 V\)/);
    expect(cellHarmWarnings(train(), GENERIC_COMPLIANCE_CEILING)).toEqual([]);
  });

  it('warns on a compliance above the device ceiling: 1.5 A anywhere, 1 mA on the 38.5 nS Ag:a-Si', () => {
    const big = ProcedureParams.parse({ procedure: 'read', maxVoltage: 1, compliance: 1.5 });
    expect(cellHarmWarnings(big, complianceCeiling('AlOx/HfO2')).map((w) => w.field)).toEqual(['compliance']);
    expect(complianceCeiling('AlOx/HfO2')).toBeCloseTo(100 * 59.2e-6 * 3, 9);
    expect(complianceCeiling(undefined)).toBe(10e-3);
    expect(cellHarmWarnings(train(), complianceCeiling('Ag:a-Si')).map((w) => w.field)).toEqual([
      'compliance',
    ]);
    expect(cellHarmWarnings(train(), complianceCeiling('AlOx/HfO2'))).toEqual([]);
  });
});

describe('cell guard', () => {
  const pristine = { cell: 5, formed: false, formingRunId: null, formingVoltage: null };
  const formed = { cell: 5, formed: true, formingRunId: 12, formingVoltage: 3.05 };
  it('forming needs a pristine cell, programming a formed one, a read any cell', () => {
    expect(cellGuardReason('forming', pristine)).toBeNull();
    expect(cellGuardReason('forming', formed)).toBe(
      'cell 5 is already formed (at 3.05 V, run 12): forming it again would over-program it',
    );
    for (const p of ['pulse-train', 'write-verify', 'set', 'reset'] as const) {
      expect(cellGuardReason(p, formed)).toBeNull();
      expect(cellGuardReason(p, pristine)).toMatch(/^cell 5 has not been formed/);
    }
    expect(cellGuardReason('read', pristine)).toBeNull();
    expect(cellGuardReason('read', formed)).toBeNull();
  });
  it('the forming event: compliance, overflow, or a current jump by the factor from a real current', () => {
    const step = (i: number | null, compliance = false, overflow = false) => ({ i, compliance, overflow });
    expect(isFormingEvent(undefined, step(1e-9), 10)).toBe(false);
    expect(isFormingEvent(1e-9, step(5e-9), 10)).toBe(false);
    expect(isFormingEvent(1e-9, step(2e-8), 10)).toBe(true);
    expect(isFormingEvent(0, step(1e-6), 10)).toBe(false);
    expect(isFormingEvent(1e-9, step(1e-9, true), 10)).toBe(true);
    expect(isFormingEvent(1e-9, step(null, false, true), 10)).toBe(true);
  });
});
