/** Opens a switch matrix and puts the SMU behind it (output confirmed off before any relay moves). */
import { ReramError } from '../../../shared/errors';
import { wiringProblem, type MatrixWiring } from '../../../shared/switch-matrix';
import type { Smu } from '../drivers/smu';
import { SafetyError } from '../errors';
import type { ScpiSession } from '../scpi/session';
import { KeysightB2200 } from './b2200a';
import { Keithley707 } from './k707b';
import type { SwitchMatrix } from './matrix';
import { RoutedSmu } from './routed-smu';

export interface MatrixOptions {
  resource: string;
  wiring: MatrixWiring;
}

/** Identifies what answers and hands the session to its matrix driver. */
export async function matrixOn(session: ScpiSession, resource: string): Promise<SwitchMatrix> {
  const identity = await session.identify();
  if (KeysightB2200.matches(identity)) return new KeysightB2200(session, identity, resource);
  if (Keithley707.matches(identity)) return new Keithley707(session, identity, resource);
  throw new ReramError(
    'UNSUPPORTED',
    `'${identity.raw}' at ${resource} is not a supported switch matrix (Keysight B2200A/B2201A, Keithley 707B/708B).`,
  );
}

/**
 * The SMU behind the matrix: the output is confirmed off, then the matrix is put in a known state
 * (every crosspoint open, single route, break before make).
 */
export async function routeThroughMatrix(
  smu: Smu,
  matrix: SwitchMatrix,
  wiring: MatrixWiring,
): Promise<RoutedSmu> {
  const problem = wiringProblem(wiring, matrix.outputs, matrix.inputs);
  if (problem) throw new ReramError('INVALID_INPUT', `Switch matrix wiring: ${problem}.`);
  await smu.output(false);
  if (await smu.outputState())
    throw new SafetyError(
      `The ${smu.identity.model}'s output is still on, so the switch matrix was left untouched. Switch the output off at the instrument.`,
    );
  await matrix.prepare();
  return new RoutedSmu(smu, matrix, wiring);
}
