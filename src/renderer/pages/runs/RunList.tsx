/** The run browser's filters and its list of runs (tick to overlay, click to open). */
import { PROCEDURES, RUN_STATUSES, type RunSummary } from '../../../shared/run';
import { SelectField, TextField } from '../../components/Field';
import { DataTable, type Column } from '../../components/DataTable';
import { keyParameters, outcomeText } from './describe';
import type { RunFilterState } from './useRunQuery';

export function RunFilters({
  filters,
  setFilter,
  cellError,
}: {
  filters: RunFilterState;
  setFilter(patch: Partial<RunFilterState>): void;
  cellError: string | undefined;
}) {
  return (
    <div className="form">
      <SelectField
        label="Procedure"
        name="filterProcedure"
        value={filters.procedure}
        onChange={(v) => setFilter({ procedure: v })}
        options={[{ value: '', label: 'all' }, ...PROCEDURES.map((p) => ({ value: p, label: p }))]}
      />
      <SelectField
        label="Status"
        name="filterStatus"
        value={filters.status}
        onChange={(v) => setFilter({ status: v })}
        options={[{ value: '', label: 'all' }, ...RUN_STATUSES.map((p) => ({ value: p, label: p }))]}
      />
      <TextField
        label="Cells"
        name="filterCell"
        value={filters.cell}
        onChange={(v) => setFilter({ cell: v })}
        placeholder="0-3, 1,4,9"
        {...(cellError ? { error: cellError } : {})}
      />
      <TextField
        label="Search"
        name="filterSearch"
        value={filters.search}
        onChange={(v) => setFilter({ search: v })}
        placeholder="text, #id"
      />
      <label className="checkbox-line wide">
        <input
          type="checkbox"
          name="showHidden"
          checked={filters.showHidden}
          onChange={(e) => setFilter({ showHidden: e.target.checked })}
        />{' '}
        Show the trash
      </label>
    </div>
  );
}

export function RunList({
  runs,
  selected,
  ticked,
  onSelect,
  onTick,
}: {
  runs: RunSummary[];
  selected: number | undefined;
  ticked: number[];
  onSelect(id: number): void;
  onTick(id: number, on: boolean): void;
}) {
  const columns: Array<Column<RunSummary>> = [
    {
      header: '',
      label: 'overlay',
      // Ticking a run overlays it; it does not select the row.
      cellProps: () => ({ onClick: (e) => e.stopPropagation() }),
      cell: (r) => (
        <input
          type="checkbox"
          aria-label={`Overlay run ${r.id}`}
          checked={ticked.includes(r.id)}
          onChange={(e) => onTick(r.id, e.target.checked)}
        />
      ),
    },
    { header: '#', cell: (r) => r.id },
    { header: 'run', className: 'text', cell: (r) => <RunText run={r} /> },
    { header: 'points', cell: (r) => r.pointCount },
  ];
  return (
    <DataTable
      columns={columns}
      rows={runs}
      rowKey={(r) => r.id}
      rowProps={(r) => ({
        'data-run': r.id,
        'aria-selected': r.id === selected,
        onClick: () => onSelect(r.id),
        className: 'clickable',
      })}
      testId="run-list"
      scroll="table-scroll"
    />
  );
}

/** A run in a line and a muted line: procedure, cell, status; when, its key parameters, outcome. */
function RunText({ run: r }: { run: RunSummary }) {
  return (
    <>
      <strong>{r.procedure}</strong>
      {r.cell !== null ? ` · cell ${r.cell}` : ''} · <span className={`status ${r.status}`}>{r.status}</span>
      {r.hidden ? <span className="muted"> (hidden)</span> : null}
      <br />
      <span className="muted">
        {new Date(r.startedAt).toLocaleString()} · {keyParameters(r)}
        {outcomeText(r) ? ` · ${outcomeText(r)}` : ''}
      </span>
    </>
  );
}
