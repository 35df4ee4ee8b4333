/** Accuracy per method and bit width, with each method's paired difference to linear. */
import { METHODS, type PredictMethod } from '../../../shared/quant/methods';
import { PREDICT_METHODS, type MethodResult } from '../../../shared/rca/report';
import { formatPercentPoints } from '../../../shared/units';
import { DataTable, type Column } from '../../components/DataTable';

function accuracyColumns(results: MethodResult[], bits: number[]): Array<Column<PredictMethod>> {
  const find = (m: PredictMethod, b: number) =>
    results.find((x) => x.method === m && (m === 'float' || x.bits === b));
  return [
    {
      header: 'method',
      cell: (m) => (
        <>
          <span className="dot" style={{ background: METHODS[m].color }} aria-hidden="true" />{' '}
          {METHODS[m].label}
        </>
      ),
    },
    ...bits.map((b): Column<PredictMethod> => ({
      key: b,
      header: `${b}-bit`,
      cellProps: (m) => ({ 'data-bits': b, 'data-accuracy': find(m, b)?.mean ?? '' }),
      cell: (m) => {
        const r = find(m, b);
        return r ? `${(100 * r.mean).toFixed(2)} ± ${(100 * r.ci95).toFixed(2)} %` : '';
      },
    })),
  ];
}

function differenceColumns(results: MethodResult[], bits: number[]): Array<Column<PredictMethod>> {
  const find = (m: PredictMethod, b: number) => results.find((x) => x.method === m && x.bits === b)?.vsLinear;
  return [
    { header: 'method', cell: (m) => METHODS[m].label },
    ...bits.map((b): Column<PredictMethod> => ({
      key: b,
      header: `${b}-bit`,
      cellProps: (m) => {
        const d = find(m, b);
        return {
          'data-bits': b,
          'data-difference': d ? d.difference : '',
          'data-significant': d ? String(d.significant) : '',
          className: d?.significant ? (d.difference > 0 ? 'better' : 'worse') : undefined,
        };
      },
      cell: (m) => {
        const d = find(m, b);
        return d
          ? `${formatPercentPoints(d.difference, { unit: false })} ± ${(100 * d.ci95).toFixed(2)}${d.significant ? ' *' : ''}`
          : '';
      },
    })),
  ];
}

export function ResultsTable({ results }: { results: MethodResult[] }) {
  const bits = [...new Set(results.map((r) => r.bits).filter((b): b is number => b !== null))].sort(
    (a, b) => a - b,
  );
  const methods = PREDICT_METHODS.filter((m) => results.some((r) => r.method === m));
  const paired = methods.filter((m) => results.some((r) => r.method === m && r.vsLinear));
  return (
    <div className="table-scroll">
      <DataTable
        columns={accuracyColumns(results, bits)}
        rows={methods}
        rowKey={(m) => m}
        rowProps={(m) => ({ 'data-method': m })}
        testId="results"
        caption="Top-1 accuracy, mean ± 95 % CI"
        captionClassName="muted"
      />
      {paired.length ? (
        <DataTable
          columns={differenceColumns(results, bits)}
          rows={paired}
          rowKey={(m) => m}
          rowProps={(m) => ({ 'data-method': m })}
          testId="differences"
          caption="Paired difference to linear (percentage points, 95 % CI; * significant)"
          captionClassName="muted"
        />
      ) : null}
    </div>
  );
}
