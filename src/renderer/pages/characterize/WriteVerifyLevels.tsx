import { formatSI } from '../../../shared/units';
import type { VerifyTally } from './live';

export function WriteVerifyLevels({
  targets,
  tally,
}: {
  targets: { g: number[]; band: number[] };
  tally: VerifyTally;
}) {
  return (
    <table className="data" data-testid="verify-levels">
      <caption className="muted">
        Write-verify targets: each level's band and how many repeats landed in it
      </caption>
      <thead>
        <tr>
          <th>level</th>
          <th>target</th>
          <th>band</th>
          <th>landed</th>
          <th>mean of landed</th>
          <th className="text">status</th>
        </tr>
      </thead>
      <tbody>
        {targets.g.map((g, k) => {
          const tried = tally.tried.get(k)?.size ?? 0;
          const landed = tally.landed.get(k) ?? [];
          const status =
            tried === 0
              ? 'pending'
              : landed.length === tried
                ? 'pass'
                : landed.length === 0
                  ? 'fail'
                  : 'partial';
          return (
            <tr key={k} data-status={status}>
              <td>{k}</td>
              <td>{formatSI(g, 'S')}</td>
              <td>± {formatSI(targets.band[k], 'S')}</td>
              <td>
                {landed.length}/{tried}
              </td>
              <td>
                {landed.length ? formatSI(landed.reduce((a, b) => a + b, 0) / landed.length, 'S') : '—'}
              </td>
              <td className="text">
                <span
                  className={`status ${status === 'pass' ? 'completed' : status === 'fail' ? 'failed' : status}`}
                >
                  {status}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
