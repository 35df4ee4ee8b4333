/**
 * The die: its cells on a grid, coloured by a chosen figure (formed or not, NL, Gmax/Gmin, the
 * last run's status). Click a cell to pick it (Shift-click adds to a selection); its history is
 * one click away. How a user picks cells, instead of a bare number field.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CellSummary } from '../../shared/api';
import { formatNumber, formatSI } from '../../shared/units';
import { getApi } from '../api/client';
import { useApiEvent } from '../hooks/api';

export const DIE_FIGURES = {
  formed: 'Formed',
  nl: 'LTP non-linearity (NL)',
  window: 'Window Gmax/Gmin',
  status: 'Last run',
} as const;
export type DieFigure = keyof typeof DIE_FIGURES;

/** A sequential blue scale for values in [0, 1]. */
function scale(t: number): string {
  const x = Math.min(1, Math.max(0, t));
  return `hsl(${215 - 25 * x} ${55 + 25 * x}% ${78 - 40 * x}%)`;
}

export function cellColor(summary: CellSummary | undefined, figure: DieFigure): string | undefined {
  if (!summary) return undefined;
  switch (figure) {
    case 'formed':
      return summary.formed === true ? 'var(--ok)' : summary.formed === false ? 'var(--danger)' : undefined;
    case 'nl':
      return summary.nl === null ? undefined : scale(Math.abs(summary.nl) / 5);
    case 'window':
      return summary.gMin && summary.gMax ? scale(Math.log10(summary.gMax / summary.gMin) / 2) : undefined;
    case 'status':
      return summary.lastRun === null
        ? undefined
        : summary.lastRun.status === 'completed'
          ? 'var(--ok)'
          : summary.lastRun.status === 'running'
            ? 'var(--accent)'
            : summary.lastRun.status === 'cancelled'
              ? 'var(--warn)'
              : 'var(--danger)';
  }
}

export function cellDescription(s: CellSummary | undefined, cell: number): string {
  if (!s || s.runs === 0) return `Cell ${cell}: no runs yet`;
  const parts = [`Cell ${cell}: ${s.runs} run${s.runs === 1 ? '' : 's'}`];
  if (s.formed === true) parts.push(`formed at ${formatSI(s.formingVoltage, 'V')}`);
  else if (s.formed === false) parts.push('not formed');
  if (s.gMin !== null && s.gMax !== null)
    parts.push(`window ${formatSI(s.gMin, 'S')}–${formatSI(s.gMax, 'S')}`);
  if (s.nl !== null) parts.push(`NL ${formatNumber(s.nl, 2)}`);
  if (s.lastRun) parts.push(`last: ${s.lastRun.procedure} ${s.lastRun.status}`);
  return parts.join(', ');
}

export function useCellSummaries(count: number): CellSummary[] {
  const [summaries, setSummaries] = useState<CellSummary[]>([]);
  const load = useCallback(() => {
    void getApi()
      .call['cells.summary']({ cells: count })
      .then(setSummaries, () => undefined);
  }, [count]);
  useEffect(load, [load]);
  useApiEvent(
    'run.ended',
    useCallback(() => load(), [load]),
  );
  return summaries;
}

export function DieMap({
  count,
  selected,
  onSelect,
  multiple = false,
  disabled = false,
}: {
  count: number;
  selected: readonly number[];
  onSelect: (cells: number[]) => void;
  multiple?: boolean;
  disabled?: boolean;
}) {
  const [figure, setFigure] = useState<DieFigure>('formed');
  const summaries = useCellSummaries(count);
  const columns = Math.ceil(Math.sqrt(count));
  const focus = selected[selected.length - 1];
  return (
    <div className="die" data-testid="die-map">
      <div className="row">
        <label className="field">
          <span>Colour by</span>
          <select name="dieFigure" value={figure} onChange={(e) => setFigure(e.target.value as DieFigure)}>
            {Object.entries(DIE_FIGURES).map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">
          {multiple ? 'Click a cell; Shift-click to add or remove.' : 'Click a cell to use it.'}
        </span>
      </div>
      <div
        className="die-grid"
        style={{ gridTemplateColumns: `repeat(${columns}, minmax(1.6rem, 2.2rem))` }}
        role="grid"
        aria-label={`Die map: ${count} cells`}
      >
        {Array.from({ length: count }, (_, cell) => {
          const summary = summaries[cell];
          const color = cellColor(summary, figure);
          const isSelected = selected.includes(cell);
          return (
            <button
              key={cell}
              type="button"
              className={`die-cell${isSelected ? ' selected' : ''}${color ? ' filled' : ''}`}
              style={color ? { background: color } : undefined}
              title={cellDescription(summary, cell)}
              aria-label={cellDescription(summary, cell)}
              aria-pressed={isSelected}
              data-cell={cell}
              disabled={disabled}
              onClick={(e) => {
                if (multiple && (e.shiftKey || e.ctrlKey || e.metaKey))
                  onSelect(
                    isSelected
                      ? selected.filter((c) => c !== cell)
                      : [...selected, cell].sort((a, b) => a - b),
                  );
                else onSelect([cell]);
              }}
            >
              {cell}
            </button>
          );
        })}
      </div>
      {focus !== undefined ? (
        <p className="muted" data-testid="cell-history">
          {cellDescription(summaries[focus], focus)}.{' '}
          {summaries[focus]?.runs ? <a href={`#/runs?cell=${focus}`}>History of cell {focus} →</a> : null}
        </p>
      ) : null}
    </div>
  );
}

/** "0-3,5,7-9" from a sorted list of cells. */
const DIE_CELLS_KEY = 'reram-die-cells';

/** The die size the user typed when the instrument does not report one (16 until then). */
export function storedDieCells(): number {
  return Number(localStorage.getItem(DIE_CELLS_KEY) ?? 16) || 16;
}

export function storeDieCells(cells: number): void {
  localStorage.setItem(DIE_CELLS_KEY, String(cells));
}

export function formatCells(cells: readonly number[]): string {
  const sorted = [...new Set(cells)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let k = 0; k < sorted.length;) {
    let j = k;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > k ? `${sorted[k]}-${sorted[j]}` : String(sorted[k]));
    k = j + 1;
  }
  return parts.join(',');
}
