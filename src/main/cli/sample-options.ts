/** The sample a CLI run is recorded against, and the bench a measuring command opens. */
import type { Command } from 'commander';
import type { SampleKey } from '../../shared/cell-guard';
import { ReramError } from '../../shared/errors';
import { connectInstrument, type Smu } from '../services/bench';
import { sampleOf } from '../services/recorder';
import type { Store } from '../services/database';
import { connectionOptions } from './connection-options';
import { openCliStore } from './db';

export function addSampleOptions(command: Command): Command {
  return command
    .option('--wafer <id>', "the sample's wafer (a real instrument; the virtual SMU's die is its own sample)")
    .option('--die <id>', "the sample's die, or a free sample id");
}

export async function sampleFromOptions(smu: Smu, options: Record<string, unknown>): Promise<SampleKey> {
  const given = {
    ...(typeof options.wafer === 'string' ? { wafer: options.wafer.trim() } : {}),
    ...(typeof options.die === 'string' ? { die: options.die.trim() } : {}),
  };
  if (smu.virtual && (given.wafer !== undefined || given.die !== undefined))
    throw new ReramError(
      'INVALID_INPUT',
      "--wafer/--die name a real sample; the virtual SMU's die is its own.",
    );
  return sampleOf(smu, given);
}

/**
 * What a measuring command works with: the database, the instrument and the sample its runs
 * belong to. Nothing is left open when any of them fails.
 */
export async function openBench(
  resource: string,
  options: Record<string, unknown>,
): Promise<{ store: Store; smu: Smu; sample: SampleKey }> {
  const store = openCliStore(options.db as string | undefined);
  let smu: Smu | undefined;
  try {
    smu = await connectInstrument(resource, connectionOptions(options));
    return { store, smu, sample: await sampleFromOptions(smu, options) };
  } catch (error) {
    await smu?.close();
    store.close();
    throw error;
  }
}
