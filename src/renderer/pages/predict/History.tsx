/** Earlier predictions: open one, or delete it. */
import type { PredictionSummary } from '../../../shared/api';
import { METHODS } from '../../../shared/quant/methods';
import { formatPercentPoints } from '../../../shared/units';
import { DataTable, type Column } from '../../components/DataTable';

function bestDifference(summary: PredictionSummary): string {
  const paired = summary.results.filter((r) => r.vsLinear && r.method !== 'ideal-linear');
  if (!paired.length) return '';
  const best = paired.reduce((a, b) => (b.vsLinear!.difference > a.vsLinear!.difference ? b : a));
  return `${METHODS[best.method].label} ${best.bits}-bit ${formatPercentPoints(best.vsLinear!.difference)}${best.vsLinear!.significant ? ' *' : ''}`;
}

export function History({
  items,
  selected,
  onOpen,
  onDelete,
}: {
  items: PredictionSummary[];
  selected: number | undefined;
  onOpen: (id: number) => void;
  onDelete: (id: number) => void;
}) {
  const columns: Array<Column<PredictionSummary>> = [
    { header: '#', cell: (p) => p.id },
    { header: 'started', cell: (p) => new Date(p.createdAt).toLocaleString() },
    {
      header: 'prediction',
      cell: (p) => (
        <>
          {p.title}
          {p.table ? <span className="muted"> · {p.table}</span> : null}
        </>
      ),
    },
    { header: 'status', cell: (p) => <span className={`status ${p.status}`}>{p.status}</span> },
    { header: 'best vs linear', cell: bestDifference },
    {
      header: null,
      label: 'actions',
      cellClassName: 'row',
      cell: (p) => (
        <>
          <button type="button" disabled={p.status !== 'completed'} onClick={() => onOpen(p.id)}>
            Open
          </button>
          <button
            type="button"
            disabled={p.status === 'running'}
            aria-label={`Delete prediction ${p.id}`}
            onClick={() => onDelete(p.id)}
          >
            Delete
          </button>
        </>
      ),
    },
  ];
  return (
    <DataTable
      columns={columns}
      rows={items}
      rowKey={(p) => p.id}
      rowProps={(p) => ({ 'data-prediction': p.id, 'aria-selected': p.id === selected })}
      testId="prediction-history"
      scroll="table-scroll history"
      empty={<p className="muted">No predictions yet.</p>}
    />
  );
}
