/**
 * The die map's figures per cell of one sample, from its stored runs (fits cached per run: they
 * do not change). Another sample's runs never show here.
 */
import { yieldsLevelTable } from '../../shared/procedures';
import type { CellSummary } from '../../shared/api';
import type { SampleKey } from '../../shared/cell-guard';
import type { Store } from '../store/store';
import { fitRun } from './fitting';

const fitCache = new Map<string, { gMin: number; gMax: number; nl: number | null } | null>();

export function cellSummaries(store: Store, count: number, sample: SampleKey): CellSummary[] {
  const rows = store.db
    .prepare(
      `SELECT runs.id, runs.cell, procedure, status, started_at, summary_json FROM runs
       JOIN samples ON samples.id = runs.sample_id AND samples.wafer = ? AND samples.die = ?
       WHERE runs.cell IS NOT NULL AND runs.cell < ? AND hidden = 0 ORDER BY runs.id`,
    )
    .all(sample.wafer, sample.die, count) as Array<{
    id: number;
    cell: number;
    procedure: string;
    status: string;
    started_at: string;
    summary_json: string | null;
  }>;
  const cells: CellSummary[] = Array.from({ length: count }, (_, cell) => ({
    cell,
    runs: 0,
    lastRun: null,
    formed: null,
    formingVoltage: null,
    gMin: null,
    gMax: null,
    nl: null,
  }));
  const levelRun = new Map<number, number>();
  for (const row of rows) {
    const c = cells[row.cell]!;
    c.runs++;
    c.lastRun = { id: row.id, procedure: row.procedure, status: row.status, startedAt: row.started_at };
    if (yieldsLevelTable(row.procedure) && row.status === 'completed') levelRun.set(row.cell, row.id);
  }
  // Formed or not: the cell guard's own reading of the runs (one definition).
  const tried = new Set(rows.filter((r) => r.procedure === 'forming').map((r) => r.cell));
  for (const state of store.cells.states(sample, [...tried]).values())
    Object.assign(cells[state.cell]!, { formed: state.formed, formingVoltage: state.formingVoltage });
  for (const [cell, runId] of levelRun) {
    const key = `${store.path}#${runId}`;
    if (!fitCache.has(key)) {
      try {
        const table = fitRun(store, runId).table;
        const ltp = table.fits.find((f) => f.direction === 'ltp');
        fitCache.set(key, { gMin: table.gMin, gMax: table.gMax, nl: ltp ? ltp.nl : null });
      } catch {
        fitCache.set(key, null);
      }
    }
    const fit = fitCache.get(key);
    if (fit) Object.assign(cells[cell]!, fit);
  }
  return cells;
}
