/** The chip on the probe station: what each cell's runs say, statistics, and a chip profile. */
import { UNASSIGNED_SAMPLE } from '../../../shared/cell-guard';
import { cellSummaries } from '../../services/cells';
import { saveChipProfile } from '../../services/chip-profile';
import { chipStatistics } from '../../services/statistics';
import type { FeatureHandlers, HandlerContext } from './context';

export const chipHandlers = ({ store, instrument, library }: HandlerContext) => {
  const sample = () => instrument.status().sample ?? UNASSIGNED_SAMPLE;
  return {
    'cells.summary': async ({ cells }) => cellSummaries(store, cells, sample()),
    'stats.chip': async ({ cells }) => chipStatistics(store, sample(), cells),
    'profiles.build': async ({ cells, name, bits, overwrite }) =>
      saveChipProfile(store, library, sample(), { cells, name, bits, overwrite }),
  } satisfies FeatureHandlers;
};
