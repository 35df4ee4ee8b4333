/** Accuracy per method and bit width, with each method's paired difference to linear. */
import type { ReactNode } from 'react';
import { METHODS, type PredictMethod } from '../../../shared/quant/methods';
import { PREDICT_METHODS, type MethodResult } from '../../../shared/rca/report';
import { formatPercentPoints } from '../../../shared/units';
import { DataTable, type CellAttributes, type Column } from '../../components/DataTable';

/** One row per method (data-method), its name, then one column per bit width (data-bits). */
function MethodTable({
  methods,
  bits,
  name,
  cell,
  cellProps,
  testId,
  caption,
}: {
  methods: PredictMethod[];
  bits: number[];
  name(m: PredictMethod): ReactNode;
  cell(m: PredictMethod, b: number): string;
  cellProps(m: PredictMethod, b: number): CellAttributes;
  testId: string;
  caption: string;
}) {
  const columns: Array<Column<PredictMethod>> = [
    { header: 'method', cell: name },
    ...bits.map((b): Column<PredictMethod> => ({
      key: b,
      header: `${b}-bit`,
      cellProps: (m) => ({ 'data-bits': b, ...cellProps(m, b) }),
      cell: (m) => cell(m, b),
    })),
  ];
  return (
    <DataTable
      columns={columns}
      rows={methods}
      rowKey={(m) => m}
      rowProps={(m) => ({ 'data-method': m })}
      testId={testId}
      caption={caption}
      captionClassName="muted"
    />
  );
}

export function ResultsTable({ results }: { results: MethodResult[] }) {
  const bits = [...new Set(results.map((r) => r.bits).filter((b): b is number => b !== null))].sort(
    (a, b) => a - b,
  );
  const methods = PREDICT_METHODS.filter((m) => results.some((r) => r.method === m));
  const paired = methods.filter((m) => results.some((r) => r.method === m && r.vsLinear));
  const accuracy = (m: PredictMethod, b: number) =>
    results.find((x) => x.method === m && (m === 'float' || x.bits === b));
  const difference = (m: PredictMethod, b: number) =>
    results.find((x) => x.method === m && x.bits === b)?.vsLinear;
  return (
    <div className="table-scroll">
      <MethodTable
        methods={methods}
        bits={bits}
        name={(m) => (
          <>
            <span className="dot" style={{ background: METHODS[m].color }} aria-hidden="true" />{' '}
            {METHODS[m].label}
          </>
        )}
        cell={(m, b) => {
          const r = accuracy(m, b);
          return r ? `${(100 * r.mean).toFixed(2)} ± ${(100 * r.ci95).toFixed(2)} %` : '';
        }}
        cellProps={(m, b) => ({ 'data-accuracy': accuracy(m, b)?.mean ?? '' })}
        testId="results"
        caption="Top-1 accuracy, mean ± 95 % CI"
      />
      {paired.length ? (
        <MethodTable
          methods={paired}
          bits={bits}
          name={(m) => METHODS[m].label}
          cell={(m, b) => {
            const d = difference(m, b);
            return d
              ? `${formatPercentPoints(d.difference, { unit: false })} ± ${(100 * d.ci95).toFixed(2)}${d.significant ? ' *' : ''}`
              : '';
          }}
          cellProps={(m, b) => {
            const d = difference(m, b);
            return {
              'data-difference': d ? d.difference : '',
              'data-significant': d ? String(d.significant) : '',
              className: d?.significant ? (d.difference > 0 ? 'better' : 'worse') : undefined,
            };
          }}
          testId="differences"
          caption="Paired difference to linear (percentage points, 95 % CI; * significant)"
        />
      ) : null}
    </div>
  );
}
