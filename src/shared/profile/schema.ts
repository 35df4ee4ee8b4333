/**
 * DeviceProfile: a device's level tables with what is needed to trust and share them
 * (docs/architecture.md §5). The JSON form is versioned and states its units.
 */
import { z } from 'zod';
import { ReramError } from '../errors';
import { LevelTable } from '../levels/level-table';

export const PROFILE_SCHEMA_VERSION = 1;

/** Largest profile file accepted: far above any real one (a 1,024-level table is ~100 kB). */
export const MAX_PROFILE_BYTES = 10 * 1024 * 1024;

export const SampleIds = z
  .object({
    wafer: z.string().max(200).optional(),
    chip: z.string().max(200).optional(),
    die: z.string().max(200).optional(),
    cell: z.string().max(200).optional(),
  })
  .strict();

export const Units = z
  .object({
    conductance: z.literal('S'),
    voltage: z.literal('V'),
    time: z.literal('s'),
  })
  .strict();

export const ProfileProvenance = z
  .object({
    source: z.enum(['measured', 'preset', 'imported', 'manual']),
    createdAt: z.string(),
    softwareVersion: z.string(),
    instrument: z.string().optional(),
    runIds: z.array(z.number().int()).default([]),
    reference: z.string().optional(),
  })
  .strict();

export const DeviceProfile = z
  .object({
    schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
    name: z.string().trim().min(1, 'a profile needs a name').max(200),
    materialStack: z.string().max(200).default(''),
    sample: SampleIds.default({}),
    notes: z.string().max(100_000).default(''),
    units: Units,
    tables: z
      .array(LevelTable)
      .min(1, 'a profile needs at least one level table')
      .max(64, 'a profile holds at most 64 level tables'),
    provenance: ProfileProvenance,
  })
  .strict();
export type DeviceProfile = z.output<typeof DeviceProfile>;
export type DeviceProfileInput = z.input<typeof DeviceProfile>;

export const SI_UNITS = { conductance: 'S', voltage: 'V', time: 's' } as const;

export const ProfileSummary = z.object({
  name: z.string(),
  materialStack: z.string(),
  source: z.string(),
  readOnly: z.boolean(),
  tables: z.array(
    z.object({
      name: z.string(),
      levels: z.number().int(),
      gMin: z.number(),
      gMax: z.number(),
      /** What its σ is, where the table says. */
      programming: z.enum(['open-loop', 'write-verify']).optional(),
    }),
  ),
  updatedAt: z.string().nullable(),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

export function summarizeProfile(
  profile: DeviceProfile,
  readOnly: boolean,
  updatedAt: string | null,
): ProfileSummary {
  return {
    name: profile.name,
    materialStack: profile.materialStack,
    source: profile.provenance.source,
    readOnly,
    tables: profile.tables.map((t) => ({
      name: t.name,
      levels: t.levels.length,
      gMin: t.gMin,
      gMax: t.gMax,
      ...(t.programming ? { programming: t.programming } : {}),
    })),
    updatedAt,
  };
}

/**
 * A profile's level table by its programming kind ('write-verify', 'open-loop') or its name;
 * by default the first (for the presets: write-verify).
 */
export function selectTable(profile: DeviceProfile, spec?: string): DeviceProfile['tables'][number] {
  if (!spec) return profile.tables[0]!;
  const key = spec.trim().toLowerCase();
  const table =
    profile.tables.find((t) => t.programming === key) ??
    profile.tables.find((t) => t.name.toLowerCase() === key) ??
    (key === 'pulse-train' ? profile.tables.find((t) => t.programming === 'open-loop') : undefined);
  if (!table)
    throw new ReramError(
      'NOT_FOUND',
      `Profile '${profile.name}' has no table '${spec}': it has ${profile.tables.map((t) => `'${t.name}'${t.programming ? ` (${t.programming})` : ''}`).join(', ')}.`,
    );
  return table;
}
