/** Earlier predictions: open one, or delete it. */
import type { PredictionSummary } from '../../../shared/api';
import { METHODS } from '../../../shared/quant/methods';
import { formatPercentPoints } from '../../../shared/units';

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
  if (!items.length) return <p className="muted">No predictions yet.</p>;
  return (
    <div className="table-scroll history">
      <table className="data" data-testid="prediction-history">
        <thead>
          <tr>
            <th>#</th>
            <th>started</th>
            <th>prediction</th>
            <th>status</th>
            <th>best vs linear</th>
            <th aria-label="actions" />
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id} data-prediction={p.id} aria-selected={p.id === selected}>
              <td>{p.id}</td>
              <td>{new Date(p.createdAt).toLocaleString()}</td>
              <td>
                {p.title}
                {p.table ? <span className="muted"> · {p.table}</span> : null}
              </td>
              <td>
                <span className={`status ${p.status}`}>{p.status}</span>
              </td>
              <td>{bestDifference(p)}</td>
              <td className="row">
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
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
