/** The run browser's filters and its list of runs (tick to overlay, click to open). */
import { PROCEDURES, RUN_STATUSES, type RunSummary } from '../../../shared/run';
import { SelectField, TextField } from '../../components/Field';
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
  return (
    <div className="table-scroll">
      <table className="data" data-testid="run-list">
        <thead>
          <tr>
            <th aria-label="overlay" />
            <th>#</th>
            <th className="text">run</th>
            <th>points</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr
              key={r.id}
              data-run={r.id}
              aria-selected={r.id === selected}
              onClick={() => onSelect(r.id)}
              className="clickable"
            >
              <td onClick={(e) => e.stopPropagation()}>
                <input
                  type="checkbox"
                  aria-label={`Overlay run ${r.id}`}
                  checked={ticked.includes(r.id)}
                  onChange={(e) => onTick(r.id, e.target.checked)}
                />
              </td>
              <td>{r.id}</td>
              <td className="text">
                <strong>{r.procedure}</strong>
                {r.cell !== null ? ` · cell ${r.cell}` : ''} ·{' '}
                <span className={`status ${r.status}`}>{r.status}</span>
                {r.hidden ? <span className="muted"> (hidden)</span> : null}
                <br />
                <span className="muted">
                  {new Date(r.startedAt).toLocaleString()} · {keyParameters(r)}
                  {outcomeText(r) ? ` · ${outcomeText(r)}` : ''}
                </span>
              </td>
              <td>{r.pointCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
