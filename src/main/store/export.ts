/**
 * A run's points out as Parquet or HDF5, each carrying its units and the run's settings.
 * Parquet: hyparquet-writer (pure JavaScript, ~1 MB with its reader; parquet-wasm is a 15 MB
 * WebAssembly build of the Rust writer). HDF5: h5wasm (the HDF5 C library in WebAssembly; the
 * one maintained HDF5 writer for JavaScript, from NIST).
 */
import { writeFileSync } from 'node:fs';
import { pointFlagNames, type Point, type RunSummary } from '../../shared/run';
import { appVersion } from '../paths';

/** Column, unit and how to read it out of a point. */
const COLUMNS: Array<{
  name: string;
  unit: string;
  type: 'DOUBLE' | 'INT32' | 'STRING' | 'BOOLEAN';
  get(p: Point): unknown;
}> = [
  { name: 'seq', unit: '', type: 'INT32', get: (p) => p.seq },
  { name: 't_s', unit: 's', type: 'DOUBLE', get: (p) => p.t },
  { name: 'v_source_volts', unit: 'V', type: 'DOUBLE', get: (p) => p.vSource },
  { name: 'v_volts', unit: 'V', type: 'DOUBLE', get: (p) => p.v },
  { name: 'i_amps', unit: 'A', type: 'DOUBLE', get: (p) => p.i },
  { name: 'g_siemens', unit: 'S', type: 'DOUBLE', get: (p) => p.g },
  { name: 'pulse', unit: '', type: 'INT32', get: (p) => p.pulse },
  { name: 'phase', unit: '', type: 'STRING', get: (p) => p.phase },
  { name: 'kind', unit: '', type: 'STRING', get: (p) => p.kind },
  { name: 'cell', unit: '', type: 'INT32', get: (p) => p.cell },
  { name: 'cycle', unit: '', type: 'INT32', get: (p) => p.cycle },
  { name: 'compliance', unit: '', type: 'BOOLEAN', get: (p) => p.compliance },
  { name: 'flags', unit: '', type: 'STRING', get: (p) => pointFlagNames(p.flags).join('|') },
  { name: 'width_s', unit: 's', type: 'DOUBLE', get: (p) => p.width },
  { name: 'target', unit: '', type: 'INT32', get: (p) => p.target },
];

export const POINT_FORMATS = ['csv', 'parquet', 'hdf5'] as const;
export type PointFormat = (typeof POINT_FORMATS)[number];

function metadata(run: RunSummary, settings: Record<string, unknown>): Record<string, string> {
  return {
    software: `ReRAM Bench ${appVersion()}`,
    run: JSON.stringify({
      id: run.id,
      procedure: run.procedure,
      status: run.status,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      cell: run.cell,
      instrument: run.instrument,
      resource: run.resource,
    }),
    parameters: JSON.stringify(run.params),
    instrument_settings: JSON.stringify(settings),
    outcome: JSON.stringify(run.summary ?? {}),
    units: JSON.stringify(Object.fromEntries(COLUMNS.filter((c) => c.unit).map((c) => [c.name, c.unit]))),
  };
}

export async function writeParquet(
  path: string,
  run: RunSummary,
  settings: Record<string, unknown>,
  points: readonly Point[],
): Promise<void> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const buffer = parquetWriteBuffer({
    columnData: COLUMNS.map((c) => ({
      name: c.name,
      type: c.type,
      data: points.map((p) => c.get(p) ?? null),
    })),
    kvMetadata: Object.entries(metadata(run, settings)).map(([key, value]) => ({ key, value })),
    createdBy: `ReRAM Bench ${appVersion()}`,
  });
  writeFileSync(path, new Uint8Array(buffer));
}

export async function writeHdf5(
  path: string,
  run: RunSummary,
  settings: Record<string, unknown>,
  points: readonly Point[],
): Promise<void> {
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'w');
  try {
    for (const [key, value] of Object.entries(metadata(run, settings))) file.create_attribute(key, value);
    const group = file.create_group('points');
    for (const c of COLUMNS) {
      let data: Float64Array | Int32Array | string[];
      if (c.type === 'DOUBLE')
        data = Float64Array.from(points, (p) => {
          const v = c.get(p);
          return typeof v === 'number' ? v : Number.NaN; // "not a reading" is NaN in HDF5
        });
      else if (c.type === 'INT32' || c.type === 'BOOLEAN')
        data = Int32Array.from(points, (p) => {
          const v = c.get(p);
          return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : -1;
        });
      else data = points.map((p) => String(c.get(p)));
      const dataset = group.create_dataset({ name: c.name, data });
      if (c.unit) dataset.create_attribute('units', c.unit);
      if (c.name === 'target') dataset.create_attribute('missing', '-1: not a write-verify read');
      if (c.type === 'DOUBLE')
        dataset.create_attribute('missing', 'NaN: no reading (overflow, no data) or not applicable');
    }
  } finally {
    file.close();
  }
}
