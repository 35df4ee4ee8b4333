/**
 * DeviceProfile: a device's level tables with what is needed to trust and share them
 * (DESIGN.md §5). The JSON form is versioned and states its units.
 */
import { z } from 'zod';
import { LevelTable } from '../levels/level-table';

export const PROFILE_SCHEMA_VERSION = 1;

export const SampleIds = z
  .object({
    wafer: z.string().optional(),
    chip: z.string().optional(),
    die: z.string().optional(),
    cell: z.string().optional(),
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
    materialStack: z.string().default(''),
    sample: SampleIds.default({}),
    notes: z.string().default(''),
    units: Units,
    tables: z.array(LevelTable).min(1, 'a profile needs at least one level table'),
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
    z.object({ name: z.string(), levels: z.number().int(), gMin: z.number(), gMax: z.number() }),
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
    })),
    updatedAt,
  };
}
