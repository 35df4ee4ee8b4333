/** The profile library: list, save from a run, import (ours and the simulators'), export. */
import { fitRun, profileFromTable } from '../../services/fitting';
import { exportInterop, importSimulatorFiles } from '../../services/interop';
import type { FeatureHandlers, HandlerContext } from './context';
import { OK } from './context';

export const profileHandlers = ({ store, library }: HandlerContext) =>
  ({
    'profiles.list': async () => library.list(),
    'profiles.get': async ({ name }) => library.get(name),
    'profiles.fromRun': async ({ runId, name, bits, spacing, materialStack, notes, overwrite }) => {
      const fit = fitRun(store, runId, { name, spacing, ...(bits !== undefined ? { bits } : {}) });
      const profile = profileFromTable(fit.table, { name, materialStack, notes, run: fit.run });
      library.save(profile, { overwrite });
      return profile;
    },
    'profiles.delete': async ({ name }) => {
      library.delete(name);
      return OK;
    },
    'profiles.import': async ({ fileName, text, name, readVoltage, overwrite }) =>
      library.import(text, fileName, {
        ...(name ? { name } : {}),
        ...(readVoltage ? { readVoltage } : {}),
        overwrite,
      }),
    'profiles.importFiles': async ({ fileName, files, format, name, overwrite }) =>
      importSimulatorFiles(library, { fileName, files, format, name, overwrite }),
    'profiles.exportFor': async ({ name, table, format, bits }) => ({
      files: exportInterop(store, { profile: name, table }, format, bits),
    }),
    'profiles.export': async ({ name, format, table }) => library.exportFile(name, format, table),
  }) satisfies FeatureHandlers;
