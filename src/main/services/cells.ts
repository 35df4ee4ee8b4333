/** The die map's figures per cell, from the stored runs (fits cached per run: they do not change). */
import type { CellSummary } from '../../shared/api';
import type { Store } from '../store/store';
import { fitRun } from './fitting';

const fitCache = new Map<string, { gMin: number; gMax: number; nl: number | null } | null>();

export function cellSummaries(store: Store, count: number): CellSummary[] {
  const rows = store.db
    .prepare(
      'SELECT id, cell, procedure, status, started_at, summary_json FROM runs WHERE cell IS NOT NULL AND cell < ? AND hidden = 0 ORDER BY id',
    )
    .all(count) as Array<{
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
    if (row.procedure === 'forming' && row.status === 'completed' && row.summary_json) {
      const summary = JSON.parse(row.summary_json) as { formed?: boolean; formingVoltage?: number | null };
      if (summary.formed === true) {
        c.formed = true;
        c.formingVoltage = summary.formingVoltage ?? null;
      } else if (c.formed !== true) c.formed = false;
    }
    if ((row.procedure === 'pulse-train' || row.procedure === 'write-verify') && row.status === 'completed')
      levelRun.set(row.cell, row.id);
  }
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
