import { useEffect, useRef, useState } from 'react';
import { type Point, type RunSummary } from '../../../shared/run';
import { formatSI } from '../../../shared/units';
import { getApi } from '../../api/client';

/** Every point of a run, in a scrolling table that fetches only the rows in view. */
const SHEET_COLUMNS: ReadonlyArray<{ label: string; width: string; cell: (p: Point) => string | number }> = [
  { label: 'seq', width: '7%', cell: (p) => p.seq },
  { label: 't', width: '11%', cell: (p) => formatSI(p.t, 's') },
  { label: 'V source', width: '11%', cell: (p) => formatSI(p.vSource, 'V') },
  { label: 'V', width: '11%', cell: (p) => formatSI(p.v, 'V') },
  { label: 'I', width: '12%', cell: (p) => formatSI(p.i, 'A') },
  { label: 'G', width: '12%', cell: (p) => formatSI(p.g, 'S') },
  { label: 'phase', width: '9%', cell: (p) => p.phase },
  { label: 'kind', width: '9%', cell: (p) => p.kind },
  { label: 'cycle', width: '9%', cell: (p) => p.cycle },
  { label: 'pulse', width: '9%', cell: (p) => p.pulse },
];

export function DataSheet({ run }: { run: RunSummary }) {
  const rowHeight = 24;
  const height = 320;
  const [top, setTop] = useState(0);
  const pages = useRef(new Map<number, Point[] | 'loading'>());
  const [, setVersion] = useState(0);
  useEffect(() => {
    pages.current.clear();
    setTop(0);
  }, [run.id]);
  const first = Math.floor(top / rowHeight);
  const count = Math.ceil(height / rowHeight) + 2;
  const pageSize = 500;
  const rows: Array<Point | undefined> = [];
  for (let index = first; index < Math.min(run.pointCount, first + count); index++) {
    const page = Math.floor(index / pageSize);
    const cached = pages.current.get(page);
    if (cached === undefined) {
      pages.current.set(page, 'loading');
      void getApi()
        .call['runs.points']({ runId: run.id, afterSeq: page * pageSize - 1, limit: pageSize })
        .then((points) => {
          pages.current.set(page, points);
          setVersion((v) => v + 1);
        });
    }
    rows.push(cached && cached !== 'loading' ? cached[index - page * pageSize] : undefined);
  }
  return (
    <div
      className="sheet"
      style={{ height, overflowY: 'auto' }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      data-testid="data-sheet"
      tabIndex={0}
      aria-label={`Data sheet of run ${run.id}: ${run.pointCount} points`}
    >
      {/* One table, so the header's columns are the body's; spacer rows stand for the rows not drawn. */}
      <table className="data sheet-table">
        <colgroup>
          {SHEET_COLUMNS.map((c) => (
            <col key={c.label} style={{ width: c.width }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {SHEET_COLUMNS.map((c) => (
              <th key={c.label}>{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr aria-hidden="true" style={{ height: first * rowHeight }} />
          {rows.map((p, k) => (
            <tr key={first + k} style={{ height: rowHeight }}>
              {p ? (
                SHEET_COLUMNS.map((c) => <td key={c.label}>{c.cell(p)}</td>)
              ) : (
                <td colSpan={SHEET_COLUMNS.length} className="muted">
                  {first + k}…
                </td>
              )}
            </tr>
          ))}
          <tr
            aria-hidden="true"
            style={{ height: Math.max(0, run.pointCount - first - rows.length) * rowHeight }}
          />
        </tbody>
      </table>
    </div>
  );
}
