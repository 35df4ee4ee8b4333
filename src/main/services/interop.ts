/** Exports to the simulators' formats, and their inverses, on stored profiles and runs. */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { ReramError } from '../../shared/errors';
import { curveFromAihwkit } from '../../shared/interop/aihwkit';
import { rampsFromCrossSim } from '../../shared/interop/crosssim';
import {
  deviceDataFromProfile,
  deviceDataFromRun,
  levelTableFromRamps,
  type DeviceData,
} from '../../shared/interop/device-data';
import { INTEROP_FORMATS, type ImportFormat, type InteropFormatId } from '../../shared/interop/formats';
export { IMPORT_FORMATS, type ImportFormat } from '../../shared/interop/formats';
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
    const run = store.runs.getRun(source.runId);
    if (run.procedure !== 'pulse-train')
      throw new ReramError(
        'INVALID_INPUT',
        `Run ${source.runId} is a ${run.procedure} run: the simulators' formats need a pulse train (LTP and LTD curves).`,
      );
    const { table } = fitRun(store, source.runId);
    return deviceDataFromRun(store.runs.getPoints(source.runId), table, {
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

/** What an import reads: the files of one export, by base name (a folder, a zip, or one file). */
export type InteropFiles = ReadonlyMap<string, string>;

const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** Which simulator's files these are, from the names our exports (and the tools) give them. */
export function detectImportFormat(files: InteropFiles): ImportFormat | undefined {
  if (files.has('set.csv')) return 'crosssim';
  if (files.has('aihwkit.json')) return 'aihwkit-piecewise';
  if (files.has('neurosim-mlp.json')) return 'neurosim-mlp';
  return undefined;
}

/** The files of a zip (our own export zips, or one a user made of the folder), by base name. */
export function filesFromZip(bytes: Uint8Array, zipName: string): Map<string, string> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (file) => file.originalSize <= MAX_IMPORT_BYTES });
  } catch (error) {
    throw new ReramError('PROFILE', `${zipName} is not a readable zip file: ${(error as Error).message}`);
  }
  const files = new Map<string, string>();
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith('/')) continue;
    files.set(basename(name), Buffer.from(data).toString('utf8'));
  }
  return files;
}

/** A folder, a zip, or one file, read as the file set an import takes. */
function readInteropPath(path: string, format: ImportFormat): Map<string, string> {
  const read = (file: string) =>
    readUserFile(file, { what: format, maxBytes: MAX_IMPORT_BYTES, encoding: 'utf8' });
  if (/\.zip$/i.test(path))
    return filesFromZip(
      readUserFile(path, { what: `${format} zip`, maxBytes: MAX_IMPORT_BYTES }),
      basename(path),
    );
  if (format !== 'crosssim') return new Map([[basename(path), read(path)]]);
  // CrossSim: the folder with set.csv, or a file in it.
  const dir = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
  const files = new Map([['set.csv', read(join(dir, 'set.csv'))]]);
  const config = join(dir, 'crosssim.json');
  if (existsSync(config)) files.set('crosssim.json', read(config));
  return files;
}

/** A profile from one of the simulators' files (crosssim: a folder with set.csv, or a zip of it). */
export function importInterop(path: string, format: ImportFormat, name?: string): DeviceProfile {
  const files = readInteropPath(path, format);
  return importInteropFiles(files, format, {
    source: basename(path),
    name: name ?? basename(path).replace(/\.(json|csv|zip)$/i, ''),
    named: name !== undefined,
  });
}

/** The import itself, on files already read (the CLI's paths and the app's uploads alike). */
export function importInteropFiles(
  files: InteropFiles,
  format: ImportFormat,
  options: { source: string; name: string; named?: boolean },
): DeviceProfile {
  const now = new Date().toISOString();
  const need = (file: string) => {
    const text = files.get(file);
    if (text === undefined)
      throw new ReramError(
        'PROFILE',
        `${options.source}: a ${format} import needs ${file} (found: ${[...files.keys()].join(', ') || 'nothing'}).`,
      );
    return text;
  };
  const only = () => {
    const expected = format === 'aihwkit-piecewise' ? 'aihwkit.json' : 'neurosim-mlp.json';
    if (files.has(expected)) return need(expected);
    const jsons = [...files.keys()].filter((f) => f.endsWith('.json'));
    return need(jsons.length === 1 ? jsons[0]! : expected);
  };
  let ramps: number[][];
  let readVoltage = 0.1;
  let title = options.name;
  try {
    if (format === 'crosssim') {
      const config = files.get('crosssim.json');
      if (config !== undefined) {
        const parsed = JSON.parse(config) as {
          lookup_tables?: { read_voltage?: number };
          device?: string;
        };
        if (typeof parsed.lookup_tables?.read_voltage === 'number')
          readVoltage = parsed.lookup_tables.read_voltage;
        if (!options.named && typeof parsed.device === 'string') title = parsed.device;
      }
      ramps = rampsFromCrossSim(need('set.csv'), readVoltage, 'set.csv');
    } else if (format === 'aihwkit-piecewise') {
      const text = only();
      const device = (JSON.parse(text) as { device?: unknown }).device;
      if (!options.named && typeof device === 'string') title = device;
      ramps = [curveFromAihwkit(text)];
    } else {
      const text = only();
      const parsed = curvesFromNeurosimMlp(text);
      const device = (JSON.parse(text) as { device?: unknown }).device;
      if (!options.named && typeof device === 'string') title = device;
      if (parsed.readVoltage) readVoltage = parsed.readVoltage;
      ramps = [parsed.ltp];
    }
  } catch (error) {
    if (error instanceof ReramError) throw error;
    throw new ReramError('PROFILE', `${options.source}: ${(error as Error).message}`);
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
      notes: `Imported from ${options.source} (${format})`,
      units: SI_UNITS,
      tables: [table],
      provenance: { source: 'imported', createdAt: now, softwareVersion: appVersion(), runIds: [] },
    },
    options.source,
  );
}

/** Uploaded simulator files (a CrossSim set, aihwkit.json or neurosim-mlp.json) into the library. */
export function importSimulatorFiles(
  library: ProfileLibrary,
  request: {
    fileName: string;
    files: ReadonlyArray<{ name: string; text: string }>;
    format?: ImportFormat | undefined;
    name?: string | undefined;
    overwrite: boolean;
  },
): DeviceProfile {
  const { fileName, name } = request;
  const byName = new Map(request.files.map((f) => [f.name.split(/[\\/]/).pop()!, f.text]));
  const chosen = request.format ?? detectImportFormat(byName);
  if (!chosen)
    throw new ReramError(
      'INVALID_INPUT',
      `${fileName}: not a simulator export ReRAM Bench can read back (a CrossSim set.csv, aihwkit.json or neurosim-mlp.json).`,
    );
  const profile = importInteropFiles(byName, chosen, {
    source: fileName,
    name: name ?? fileName.replace(/\.(json|csv|zip)$/i, ''),
    named: name !== undefined,
  });
  library.save(profile, { overwrite: request.overwrite });
  return profile;
}
