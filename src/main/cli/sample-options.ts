/** The sample a CLI run is recorded against, and the cell guard's acknowledgement. */
import type { Command } from 'commander';
import type { SampleKey } from '../../shared/cell-guard';
import { ReramError } from '../../shared/errors';
import type { Smu } from '../instrument/drivers/smu';
import { sampleOf } from '../services/recorder';

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
