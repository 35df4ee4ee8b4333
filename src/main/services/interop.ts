/** Exports to the simulators' formats, and their inverses, on stored profiles and runs. */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ReramError } from '../../shared/errors';
import { curveFromAihwkit } from '../../shared/interop/aihwkit';
import { rampsFromCrossSim } from '../../shared/interop/crosssim';
import {
  deviceDataFromProfile,
  deviceDataFromRun,
  levelTableFromRamps,
  type DeviceData,
} from '../../shared/interop/device-data';
import { INTEROP_FORMATS, type InteropFormatId } from '../../shared/interop/formats';
import { curvesFromNeurosimMlp, type ExportFile } from '../../shared/interop/neurosim';
import { validateProfile } from '../../shared/profile/json';
import { PROFILE_SCHEMA_VERSION, SI_UNITS, type DeviceProfile } from '../../shared/profile/schema';
import { readUserFile } from '../files';
import { appVersion } from '../paths';
import type { Store } from '../store/store';
import { fitRun } from './fitting';
import { ProfileLibrary } from './profiles';

export type InteropSource = { profile: string; table?: string | undefined } | { runId: number };

export function deviceDataOf(store: Store, source: InteropSource): DeviceData {
  if ('runId' in source) {
    const run = store.getRun(source.runId);
    if (run.procedure !== 'pulse-train')
      throw new ReramError(
        'INVALID_INPUT',
        `Run ${source.runId} is a ${run.procedure} run: the simulators' formats need a pulse train (LTP and LTD curves).`,
      );
    const { table } = fitRun(store, source.runId);
    return deviceDataFromRun(store.getPoints(source.runId), table, {
      name: `run ${source.runId}`,
      params: run.params,
      runId: source.runId,
    });
  }
  const library = new ProfileLibrary(store);
  return deviceDataFromProfile(library.get(source.profile), source.table);
}

export function exportInterop(
  store: Store,
  source: InteropSource,
  format: InteropFormatId,
  bits: number,
): ExportFile[] {
  if (!Object.hasOwn(INTEROP_FORMATS, format))
    throw new ReramError(
      'INVALID_INPUT',
      `No export format '${format}'. Choose from ${Object.keys(INTEROP_FORMATS).join(', ')}.`,
    );
  return INTEROP_FORMATS[format].files(deviceDataOf(store, source), bits);
}

export const IMPORT_FORMATS = ['crosssim', 'aihwkit-piecewise', 'neurosim-mlp'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** A profile from one of the simulators' files (crosssim: a folder with set.csv). */
export function importInterop(path: string, format: ImportFormat, name?: string): DeviceProfile {
  const now = new Date().toISOString();
  const read = (file: string) =>
    readUserFile(file, { what: format, maxBytes: 50 * 1024 * 1024, encoding: 'utf8' });
  let ramps: number[][];
  let readVoltage = 0.1;
  let title = name ?? basename(path).replace(/\.(json|csv)$/i, '');
  try {
    if (format === 'crosssim') {
      const dir = existsSync(path) && statSync(path).isDirectory() ? path : join(path, '..');
      const config = join(dir, 'crosssim.json');
      if (existsSync(config)) {
        const parsed = JSON.parse(read(config)) as {
          lookup_tables?: { read_voltage?: number };
          device?: string;
        };
        if (typeof parsed.lookup_tables?.read_voltage === 'number')
          readVoltage = parsed.lookup_tables.read_voltage;
        if (!name && typeof parsed.device === 'string') title = parsed.device;
      }
      ramps = rampsFromCrossSim(read(join(dir, 'set.csv')), readVoltage, 'set.csv');
    } else if (format === 'aihwkit-piecewise') {
      const text = read(path);
      const device = (JSON.parse(text) as { device?: unknown }).device;
      if (!name && typeof device === 'string') title = device;
      ramps = [curveFromAihwkit(text)];
    } else {
      const parsed = curvesFromNeurosimMlp(read(path));
      if (parsed.readVoltage) readVoltage = parsed.readVoltage;
      ramps = [parsed.ltp];
    }
  } catch (error) {
    if (error instanceof ReramError) throw error;
    throw new ReramError('PROFILE', `${basename(path)}: ${(error as Error).message}`);
  }
  const table = levelTableFromRamps(ramps, {
    name: title,
    readVoltage,
    method: `${format} import`,
    createdAt: now,
    softwareVersion: appVersion(),
  });
  return validateProfile(
    {
      schemaVersion: PROFILE_SCHEMA_VERSION,
      name: title,
      materialStack: '',
      sample: {},
      notes: `Imported from ${basename(path)} (${format})`,
      units: SI_UNITS,
      tables: [table],
      provenance: { source: 'imported', createdAt: now, softwareVersion: appVersion(), runIds: [] },
    },
    basename(path),
  );
}
