/**
 * Checks of a procedure's parameters against the connected instrument and the cell, before Start:
 * what the instrument cannot do is refused (a field error), what would harm the cell is a warning
 * the user must acknowledge.
 */
import { findPreset } from './levels/presets';
import type { ProcedureParams } from './procedures';
import { formatSI } from './units';

export interface InstrumentLimits {
  pulseWidth?: { min: number; max: number } | null;
  nplc?: { min: number; max: number } | null;
}

/** Field errors for values the connected instrument cannot make. */
export function instrumentLimitErrors(
  raw: Record<string, unknown>,
  limits: InstrumentLimits,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const { width, nplc } = raw;
  const range = limits.pulseWidth;
  if (range && typeof width === 'number' && Number.isFinite(width))
    if (width < range.min * 0.999999 || width > range.max)
      errors.width = `This instrument makes pulses from ${formatSI(range.min, 's')} to ${formatSI(range.max, 's')}`;
  const plc = limits.nplc;
  if (plc && typeof nplc === 'number' && Number.isFinite(nplc))
    if (nplc < plc.min * 0.999999 || nplc > plc.max * 1.000001)
      errors.nplc = `This instrument integrates from ${plc.min} to ${plc.max} PLC`;
  return errors;
}

/** No ReRAM cell needs more than this: 10 mA, for a device the app knows nothing about. */
export const GENERIC_COMPLIANCE_CEILING = 10e-3;

/**
 * The largest sensible compliance for a device: 100 × its Gmax at 3 V (where a short starts to
 * burn the cell), or 10 mA for an unknown device.
 */
export function complianceCeiling(presetName: string | undefined): number {
  const preset = presetName ? findPreset(presetName) : undefined;
  return preset ? 100 * preset.gMax * 3 : GENERIC_COMPLIANCE_CEILING;
}

/** The programming voltages a procedure applies, for comparison with its read voltage. */
function programmingVoltages(p: ProcedureParams): number[] {
  switch (p.procedure) {
    case 'pulse-train':
    case 'endurance':
      return [p.setV, p.resetV];
    case 'write-verify':
    case 'retention':
      return [p.setStartV, p.resetStartV];
    case 'set':
    case 'reset':
      return [p.vPeak];
    default:
      return [];
  }
}

/** What would harm the cell or spoil the measurement: each needs the user's acknowledgement. */
export function cellHarmWarnings(
  p: ProcedureParams,
  ceiling: number,
): Array<{ field: string; message: string }> {
  const warnings: Array<{ field: string; message: string }> = [];
  const programming = programmingVoltages(p);
  if (programming.length && 'readV' in p) {
    const lowest = Math.min(...programming.map(Math.abs));
    if (Math.abs(p.readV) >= lowest)
      warnings.push({
        field: 'readV',
        message: `The read voltage (${formatSI(p.readV, 'V')}) is at or above the programming voltage (${formatSI(lowest, 'V')}): every read would program the cell.`,
      });
  }
  if (p.compliance > ceiling)
    warnings.push({
      field: 'compliance',
      message: `A compliance of ${formatSI(p.compliance, 'A')} is above ${formatSI(ceiling, 'A')}, the most this device should ever carry: a short at this limit can destroy the cell.`,
    });
  return warnings;
}
