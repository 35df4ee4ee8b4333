/** Accuracy per method and bit width, with each method's paired difference to linear. */
import { METHODS } from '../../../shared/quant/methods';
import { PREDICT_METHODS, type MethodResult } from '../../../shared/rca/report';
import { formatPercentPoints } from '../../../shared/units';

export function ResultsTable({ results }: { results: MethodResult[] }) {
  const bits = [...new Set(results.map((r) => r.bits).filter((b): b is number => b !== null))].sort(
    (a, b) => a - b,
  );
  const methods = PREDICT_METHODS.filter((m) => results.some((r) => r.method === m));
  const paired = methods.filter((m) => results.some((r) => r.method === m && r.vsLinear));
  return (
    <div className="table-scroll">
      <table className="data" data-testid="results">
        <caption className="muted">Top-1 accuracy, mean ± 95 % CI</caption>
        <thead>
          <tr>
            <th>method</th>
            {bits.map((b) => (
              <th key={b}>{b}-bit</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {methods.map((m) => (
            <tr key={m} data-method={m}>
              <td>
                <span className="dot" style={{ background: METHODS[m].color }} aria-hidden="true" />{' '}
                {METHODS[m].label}
              </td>
              {bits.map((b) => {
                const r = results.find((x) => x.method === m && (m === 'float' || x.bits === b));
                return (
                  <td key={b} data-bits={b} data-accuracy={r ? r.mean : ''}>
                    {r ? `${(100 * r.mean).toFixed(2)} ± ${(100 * r.ci95).toFixed(2)} %` : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {paired.length ? (
        <table className="data" data-testid="differences">
          <caption className="muted">
            Paired difference to linear (percentage points, 95 % CI; * significant)
          </caption>
          <thead>
            <tr>
              <th>method</th>
              {bits.map((b) => (
                <th key={b}>{b}-bit</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {paired.map((m) => (
              <tr key={m} data-method={m}>
                <td>{METHODS[m].label}</td>
                {bits.map((b) => {
                  const d = results.find((x) => x.method === m && x.bits === b)?.vsLinear;
                  return (
                    <td
                      key={b}
                      data-bits={b}
                      data-difference={d ? d.difference : ''}
                      data-significant={d ? String(d.significant) : ''}
                      className={d?.significant ? (d.difference > 0 ? 'better' : 'worse') : undefined}
                    >
                      {d
                        ? `${formatPercentPoints(d.difference, { unit: false })} ± ${(100 * d.ci95).toFixed(2)}${d.significant ? ' *' : ''}`
                        : ''}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
