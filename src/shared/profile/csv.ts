/**
 * Level-table CSV: `level,g_siemens,sigma_siemens,n`, one row per level in ascending order.
 * Blank lines and lines starting with # are ignored, so tables typed from papers can carry notes.
 */
import { LevelTable, type Level } from '../levels/level-table';
import { formatZodIssues } from '../zod-format';
import { ProfileFormatError } from './json';

export const CSV_HEADER = 'level,g_siemens,sigma_siemens,n';

/** What a CSV carries besides its levels, as `# key: value` lines above the header. */
export interface CsvMetadata {
  profile?: string;
  material?: string;
  table?: string;
  programming?: 'open-loop' | 'write-verify';
  readVoltage?: number;
}

export function levelTableToCsv(
  table: Pick<LevelTable, 'levels'> & Partial<Pick<LevelTable, 'name' | 'readVoltage' | 'programming'>>,
  metadata: { profile?: string; material?: string } = {},
): string {
  const header = [
    ...(metadata.profile ? [`# profile: ${metadata.profile}`] : []),
    ...(metadata.material ? [`# material: ${metadata.material}`] : []),
    ...(table.name ? [`# table: ${table.name}`] : []),
    ...(table.programming ? [`# programming: ${table.programming}`] : []),
    ...(table.readVoltage !== undefined ? [`# read voltage: ${table.readVoltage} V`] : []),
  ];
  const rows = table.levels.map((level, k) => `${k},${level.g},${level.sigma},${level.n}`);
  return `${header.map((l) => `${l.replace(/[\r\n]+/g, ' ')}\n`).join('')}${CSV_HEADER}\n${rows.join('\n')}\n`;
}

/** The `# key: value` lines of a level CSV (unknown keys are notes and are ignored). */
export function csvMetadata(text: string): CsvMetadata {
  const metadata: CsvMetadata = {};
  for (const raw of text.split(/\r?\n/)) {
    const match = /^#\s*([a-z ]+):\s*(.*?)\s*$/i.exec(raw.trim());
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    const value = match[2]!.slice(0, 200);
    if (key === 'profile') metadata.profile = value;
    else if (key === 'material') metadata.material = value;
    else if (key === 'table') metadata.table = value;
    else if (key === 'programming' && (value === 'open-loop' || value === 'write-verify'))
      metadata.programming = value;
    else if (key === 'read voltage') {
      const v = Number(value.replace(/\s*V$/, ''));
      if (Number.isFinite(v) && v > 0) metadata.readVoltage = v;
    }
  }
  return metadata;
}

export interface CsvImportOptions {
  name: string;
  readVoltage: number;
  createdAt: string;
  softwareVersion: string;
}

export function parseLevelCsv(text: string, options: CsvImportOptions, sourceName = 'CSV'): LevelTable {
  const lines = text.split(/\r?\n/).map((line, index) => ({ line: line.trim(), number: index + 1 }));
  const content = lines.filter(({ line }) => line !== '' && !line.startsWith('#'));
  if (content.length === 0) throw new ProfileFormatError(`${sourceName} is empty.`);
  const header = content[0]!.line.split(',').map((h) => h.trim().toLowerCase());
  if (header.join(',') !== CSV_HEADER) {
    throw new ProfileFormatError(
      `${sourceName} line ${content[0]!.number}: the header must be '${CSV_HEADER}', found '${content[0]!.line}'.`,
    );
  }
  const levels: Level[] = [];
  for (const { line, number } of content.slice(1)) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 4)
      throw new ProfileFormatError(
        `${sourceName} line ${number}: expected 4 columns, found ${cells.length}.`,
      );
    const values = cells.map(Number);
    const bad = values.findIndex((v, i) => cells[i] === '' || !Number.isFinite(v));
    if (bad >= 0) {
      throw new ProfileFormatError(
        `${sourceName} line ${number}, column ${header[bad]}: '${cells[bad]}' is not a finite number.`,
      );
    }
    const [level, g, sigma, n] = values as [number, number, number, number];
    if (level !== levels.length) {
      throw new ProfileFormatError(
        `${sourceName} line ${number}: level ${level} out of order (expected ${levels.length}).`,
      );
    }
    if (g < 0 || sigma < 0)
      throw new ProfileFormatError(`${sourceName} line ${number}: conductances must be ≥ 0 S.`);
    if (!Number.isInteger(n) || n < 0)
      throw new ProfileFormatError(`${sourceName} line ${number}, column n: must be a whole number ≥ 0.`);
    levels.push({ g, sigma, n });
  }
  const parsed = LevelTable.safeParse({
    name: options.name,
    levels,
    gMin: levels[0]?.g ?? 0,
    gMax: levels[levels.length - 1]?.g ?? 0,
    readVoltage: options.readVoltage,
    fits: [],
    provenance: {
      createdAt: options.createdAt,
      softwareVersion: options.softwareVersion,
      method: 'csv import',
      runIds: [],
      warnings: [],
    },
  });
  if (!parsed.success) throw new ProfileFormatError(`${sourceName}: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}
