import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { csvMetadata, levelTableToCsv, parseLevelCsv } from '../../src/shared/profile/csv';
import { parseProfileJson, ProfileFormatError, serializeProfile } from '../../src/shared/profile/json';
import type { DeviceProfile } from '../../src/shared/profile/schema';

const profiles = builtinProfiles('1.2.3');
const alox = profiles.find((p) => p.name === 'AlOx/HfO2')!;
const text = serializeProfile(alox);

function mutate(mutator: (raw: Record<string, unknown>) => void): string {
  const raw = JSON.parse(text) as Record<string, unknown>;
  mutator(raw);
  return JSON.stringify(raw);
}
type AnyRecord = Record<string, unknown> & {
  tables: Array<Record<string, unknown> & { levels: Array<Record<string, unknown>> }>;
};

describe('device profile JSON', () => {
  it.each(profiles.map((p) => [p.name, p] as const))('%s round-trips byte for byte', (_name, profile) => {
    const once = serializeProfile(profile);
    const twice = serializeProfile(parseProfileJson(once));
    expect(twice).toBe(once);
    expect(once.endsWith('\n')).toBe(true);
    expect(JSON.parse(once).units).toEqual({ conductance: 'S', voltage: 'V', time: 's' });
  });

  it('puts keys in schema order whatever order the object was built in', () => {
    const shuffled = Object.fromEntries(Object.entries(alox).reverse()) as DeviceProfile;
    expect(serializeProfile(shuffled)).toBe(text);
  });

  it.each([
    ['a truncated file', text.slice(0, text.length / 2), /not valid JSON \(the file looks truncated\)/],
    ['an array', '[]', /must be a JSON object/],
    ['a missing schemaVersion', mutate((r) => delete r.schemaVersion), /schemaVersion is missing/],
    [
      'a future schemaVersion',
      mutate((r) => (r.schemaVersion = 7)),
      /schemaVersion 7, written by a newer ReRAM Bench/,
    ],
    ['a wrong type', mutate((r) => (r.name = 42)), /name: .*string/],
    [
      'NaN as a string',
      mutate((r) => ((r as AnyRecord).tables[0]!.levels[3]!.g = 'NaN')),
      /tables\[0\]\.levels\[3\]\.g/,
    ],
    [
      'a negative conductance',
      mutate((r) => ((r as AnyRecord).tables[0]!.levels[2]!.sigma = -1e-6)),
      /tables\[0\]\.levels\[2\]\.sigma/,
    ],
    [
      'unsorted levels',
      mutate((r) => (r as AnyRecord).tables[0]!.levels.reverse()),
      /tables\[0\]\.levels\[1\]\.g: levels must be sorted/,
    ],
    [
      'a single level',
      mutate((r) => ((r as AnyRecord).tables[0]!.levels = [(r as AnyRecord).tables[0]!.levels[0]!])),
      /at least 2 levels/,
    ],
    [
      'wrong units',
      mutate((r) => ((r.units as Record<string, string>).conductance = 'uS')),
      /units\.conductance/,
    ],
    ['an unknown field', mutate((r) => (r.gmax = 1)), /Unrecognized key.*gmax/],
  ])('rejects %s with an error naming the field', (_name, input, message) => {
    expect(() => parseProfileJson(input, 'device.json')).toThrow(ProfileFormatError);
    expect(() => parseProfileJson(input, 'device.json')).toThrow(message);
  });

  it('fuzz: any truncation or byte flip is either still valid or a ProfileFormatError, never a crash', () => {
    fc.assert(
      fc.property(
        fc.nat(text.length),
        fc.nat(text.length),
        fc.integer({ min: 32, max: 126 }),
        (cut, at, byte) => {
          for (const input of [
            text.slice(0, cut),
            text.slice(0, at) + String.fromCharCode(byte) + text.slice(at + 1),
          ]) {
            try {
              parseProfileJson(input);
            } catch (error) {
              expect(error).toBeInstanceOf(ProfileFormatError);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('level-table CSV', () => {
  const options = {
    name: 'typed',
    readVoltage: 0.2,
    createdAt: '2026-01-01T00:00:00Z',
    softwareVersion: 't',
  };

  it('round-trips a table and accepts notes and blank lines', () => {
    const table = alox.tables[0]!;
    const csv = levelTableToCsv({ levels: table.levels });
    expect(csv.split('\n')[0]).toBe('level,g_siemens,sigma_siemens,n');
    const back = parseLevelCsv(`# from the paper, Fig. 3\n\n${csv.replace(/\n/g, '\r\n')}`, options);
    expect(back.levels).toEqual(table.levels);
    expect(levelTableToCsv({ levels: back.levels })).toBe(csv);
  });

  it.each([
    ['a wrong header', 'lvl,g\n0,1e-6', /header must be/],
    [
      'a non-number',
      'level,g_siemens,sigma_siemens,n\n0,1e-6,0,1\n1,abc,0,1',
      /line 3, column g_siemens: 'abc' is not a finite number/,
    ],
    [
      'a negative conductance',
      'level,g_siemens,sigma_siemens,n\n0,-1e-6,0,1\n1,2e-6,0,1',
      /line 2: conductances must be ≥ 0 S/,
    ],
    [
      'levels out of order',
      'level,g_siemens,sigma_siemens,n\n0,1e-6,0,1\n2,2e-6,0,1',
      /level 2 out of order/,
    ],
    [
      'descending conductances',
      'level,g_siemens,sigma_siemens,n\n0,2e-6,0,1\n1,1e-6,0,1',
      /levels must be sorted/,
    ],
    ['a missing column', 'level,g_siemens,sigma_siemens,n\n0,1e-6,0', /expected 4 columns/],
    ['an empty file', '', /empty/],
  ])('rejects %s', (_name, csv, message) => {
    expect(() => parseLevelCsv(csv, options, 'paper.csv')).toThrow(message);
  });
});

describe('level CSV keeps what describes the table', () => {
  it('round-trips the profile name, material stack, table, programming and read voltage', () => {
    const table = builtinProfiles('test')[2]!.tables[0]!;
    const text = levelTableToCsv(table, { profile: 'my cell', material: 'TiN / HfO2 / Ti' });
    expect(text.split('\n')[0]).toBe('# profile: my cell');
    expect(csvMetadata(text)).toEqual({
      profile: 'my cell',
      material: 'TiN / HfO2 / Ti',
      table: table.name,
      programming: table.programming,
      readVoltage: table.readVoltage,
    });
    const back = parseLevelCsv(text, {
      name: 'x',
      readVoltage: 0.1,
      createdAt: '2026-01-01T00:00:00Z',
      softwareVersion: 't',
    });
    expect(back.levels).toEqual(table.levels);
  });
});
