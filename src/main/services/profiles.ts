/**
 * The profile library: the built-in read-only presets plus the user's profiles in SQLite, and
 * import/export in the JSON and CSV forms. Bad files are rejected whole: nothing is written.
 */
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ReramError } from '../../shared/errors';
import { LevelTable, selectLevels } from '../../shared/levels/level-table';
import { builtinProfiles } from '../../shared/profile/builtin';
import { csvMetadata, levelTableToCsv, parseLevelCsv } from '../../shared/profile/csv';
import {
  parseProfileJson,
  ProfileFormatError,
  serializeProfile,
  validateProfile,
} from '../../shared/profile/json';
import {
  MAX_PROFILE_BYTES,
  PROFILE_SCHEMA_VERSION,
  SI_UNITS,
  summarizeProfile,
  type DeviceProfile,
  type ProfileSummary,
} from '../../shared/profile/schema';
import { fileSafeName } from '../../shared/text';
import { readUserFile } from '../files';
import { appVersion } from '../paths';
import type { Store } from '../store/store';
import { formatZodIssues } from '../../shared/zod-format';

export type ExportFormat = 'json' | 'csv';

export class ProfileLibrary {
  private readonly builtins: DeviceProfile[];

  constructor(private readonly store: Store) {
    this.builtins = builtinProfiles(appVersion());
  }

  private builtin(name: string): DeviceProfile | undefined {
    const key = name.trim().toLowerCase();
    return this.builtins.find(
      (p) => p.name.toLowerCase() === key || p.name.toLowerCase().replace(/[^a-z0-9]+/g, '-') === key,
    );
  }

  list(): ProfileSummary[] {
    return [
      ...this.builtins.map((p) => summarizeProfile(p, true, null)),
      ...this.store.profiles.listSummaries(),
    ];
  }

  get(name: string): DeviceProfile {
    const profile = this.builtin(name) ?? this.store.profiles.get(name)?.profile;
    if (!profile)
      throw new ReramError('NOT_FOUND', `No profile named '${name}'. See \`reram-bench profile list\`.`);
    return profile;
  }

  isBuiltin(name: string): boolean {
    return this.builtin(name) !== undefined;
  }

  save(profile: DeviceProfile, options: { overwrite?: boolean } = {}): void {
    if (this.isBuiltin(profile.name))
      throw new ReramError('CONFLICT', `'${profile.name}' is a built-in profile; choose another name.`);
    this.store.profiles.save(profile, options);
  }

  delete(name: string): void {
    if (this.isBuiltin(name))
      throw new ReramError('CONFLICT', `'${name}' is built in and cannot be deleted.`);
    if (!this.store.profiles.delete(name)) throw new ReramError('NOT_FOUND', `No profile named '${name}'.`);
  }

  /**
   * A profile named on a command line: a .json or .csv file that exists (parsed, not saved), or
   * the name of a stored or built-in profile.
   */
  resolve(spec: string): DeviceProfile {
    if (existsSync(spec) && /\.(json|csv)$/i.test(spec))
      return this.parseImport(
        readUserFile(spec, { what: 'profile', maxBytes: MAX_PROFILE_BYTES, encoding: 'utf8' }),
        spec,
      );
    return this.get(spec);
  }

  /** Parses and validates an import without saving it. */
  parseImport(
    text: string,
    fileName: string,
    options: { name?: string; readVoltage?: number } = {},
  ): DeviceProfile {
    const format = extname(fileName).toLowerCase();
    if (text.length > MAX_PROFILE_BYTES)
      throw new ProfileFormatError(
        `${basename(fileName)} is ${text.length} bytes; profiles and level tables are at most ${MAX_PROFILE_BYTES} bytes.`,
      );
    if (format === '.csv') {
      const metadata = csvMetadata(text);
      const name = options.name ?? metadata.profile ?? basename(fileName, extname(fileName));
      const now = new Date().toISOString();
      const parsedTable = parseLevelCsv(
        text,
        {
          name: metadata.table ?? name,
          readVoltage: options.readVoltage ?? metadata.readVoltage ?? 0.1,
          createdAt: now,
          softwareVersion: appVersion(),
        },
        basename(fileName),
      );
      const table = metadata.programming
        ? { ...parsedTable, programming: metadata.programming }
        : parsedTable;
      // Through the same validation as a JSON profile: the name and table are checked alike.
      return validateProfile(
        {
          schemaVersion: PROFILE_SCHEMA_VERSION,
          name,
          materialStack: metadata.material ?? '',
          sample: {},
          notes: `Imported from ${basename(fileName)}`,
          units: SI_UNITS,
          tables: [table],
          provenance: { source: 'imported', createdAt: now, softwareVersion: appVersion(), runIds: [] },
        },
        basename(fileName),
      );
    }
    if (format !== '.json')
      throw new ProfileFormatError(
        `${basename(fileName)}: import takes a .json profile or a .csv level table.`,
      );
    const profile = parseProfileJson(text, basename(fileName));
    return options.name ? validateProfile({ ...profile, name: options.name }, basename(fileName)) : profile;
  }

  import(
    text: string,
    fileName: string,
    options: { name?: string; readVoltage?: number; overwrite?: boolean } = {},
  ): DeviceProfile {
    const profile = this.parseImport(text, fileName, options);
    this.save(profile, { overwrite: options.overwrite ?? false });
    return profile;
  }

  export(name: string, format: ExportFormat, tableName?: string): string {
    const profile = this.get(name);
    if (format === 'json') return serializeProfile(profile);
    return levelTableToCsv(this.table(profile, tableName), {
      profile: profile.name,
      material: profile.materialStack,
    });
  }

  /** The export as a file to hand over: a safe name, the text and its type. */
  exportFile(
    name: string,
    format: ExportFormat,
    tableName?: string,
  ): { fileName: string; text: string; mime: string } {
    return {
      fileName: `${fileSafeName(name)}.${format}`,
      text: this.export(name, format, tableName),
      mime: format === 'json' ? 'application/json' : 'text/csv',
    };
  }

  table(profile: DeviceProfile, tableName?: string, bits?: number): LevelTable {
    const table = tableName ? profile.tables.find((t) => t.name === tableName) : profile.tables[0];
    if (!table)
      throw new ReramError('NOT_FOUND', `Profile '${profile.name}' has no table named '${tableName}'.`);
    return bits === undefined ? table : selectLevels(table, bits);
  }
}

/** A level table from a profile JSON, a level-table JSON or a level CSV. */
export function readLevelTableFile(path: string): LevelTable {
  const text = readUserFile(path, { what: 'level table', maxBytes: MAX_PROFILE_BYTES, encoding: 'utf8' });
  if (extname(path).toLowerCase() === '.csv') {
    return parseLevelCsv(
      text,
      {
        name: basename(path, extname(path)),
        readVoltage: 0.1,
        createdAt: new Date().toISOString(),
        softwareVersion: appVersion(),
      },
      basename(path),
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ReramError('PROFILE', `${basename(path)} is not valid JSON: ${(error as Error).message}`);
  }
  if (raw && typeof raw === 'object' && 'schemaVersion' in raw)
    return parseProfileJson(text, basename(path)).tables[0]!;
  const table = LevelTable.safeParse(raw);
  if (!table.success)
    throw new ReramError(
      'PROFILE',
      `${basename(path)} is neither a profile nor a level table: ${formatZodIssues(table.error)}`,
    );
  return table.data;
}
