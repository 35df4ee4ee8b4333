/**
 * Cell-state guards. A cell's state is what its recorded runs say happened to it on this sample:
 * formed once a forming run saw the forming event, pristine otherwise. A procedure runs only on a
 * cell in the state it requires (`PROCEDURE_SCHEMAS[...].requires`); otherwise the queue skips the
 * step or asks, and Characterize and the CLI ask for an acknowledgement.
 */
import { PROCEDURE_SCHEMAS, type CellRequirement, type ProcedureName } from './procedures';
import { formatSI } from './units';

/** The sample a run belongs to: a die of a wafer, or a free sample id. Empty strings: unassigned. */
export interface SampleKey {
  wafer: string;
  die: string;
}

export const UNASSIGNED_SAMPLE: SampleKey = { wafer: '', die: '' };

export function sampleLabel(sample: SampleKey): string {
  if (!sample.wafer && !sample.die) return 'unassigned sample';
  return [sample.wafer, sample.die].filter(Boolean).join(' / ');
}

export interface CellState {
  cell: number;
  formed: boolean;
  /** The forming run that formed it, and at what voltage. */
  formingRunId: number | null;
  formingVoltage: number | null;
}

/**
 * The forming event, one definition for the procedure and for reading stored runs: the current
 * hit compliance or overflowed, or jumped by `jumpFactor` from the previous step.
 */
export function isFormingEvent(
  previousCurrent: number | undefined,
  step: { i: number | null; compliance: boolean; overflow: boolean },
  jumpFactor: number,
): boolean {
  if (step.compliance || step.overflow) return true;
  const i = step.i === null ? Number.POSITIVE_INFINITY : Math.abs(step.i);
  return previousCurrent !== undefined && previousCurrent > 1e-12 && i > jumpFactor * previousCurrent;
}

export function requirementOf(procedure: ProcedureName): CellRequirement {
  return PROCEDURE_SCHEMAS[procedure].requires;
}

/** Why `procedure` should not run on a cell in `state`, or null when it may. */
export function cellGuardReason(procedure: ProcedureName, state: CellState): string | null {
  const requires = requirementOf(procedure);
  if (requires === 'pristine' && state.formed) {
    const where = [
      state.formingVoltage !== null ? `at ${formatSI(state.formingVoltage, 'V')}` : '',
      state.formingRunId !== null ? `run ${state.formingRunId}` : '',
    ].filter(Boolean);
    return `cell ${state.cell} is already formed${where.length ? ` (${where.join(', ')})` : ''}: forming it again would over-program it`;
  }
  if (requires === 'formed' && !state.formed)
    return `cell ${state.cell} has not been formed (no forming event recorded on this sample): ${PROCEDURE_SCHEMAS[procedure].title.toLowerCase()} needs a formed cell`;
  return null;
}

export const REQUIREMENT_TEXT: Record<CellRequirement, string> = {
  pristine: 'needs a pristine cell',
  formed: 'needs a formed cell',
  any: 'any cell',
};
