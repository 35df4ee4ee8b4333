import { useState } from 'react';
import { formatNumber, formatSI } from '../../../shared/units';
import { getApi } from '../../api/client';
import { ErrorBanner, SelectField, TextField } from '../../components/Field';
import { DataTable } from '../../components/DataTable';
import { errorText, useApiQuery } from '../../hooks/api';
import type { Placement } from './charts';

/** The placed targets, their expected error against the alternatives, and the link that programs them. */
function PlacementResult({ placement }: { placement: Placement }) {
  const href = `#/characterize?${new URLSearchParams({
    procedure: 'write-verify',
    targets: placement.targets.map((g) => g.toPrecision(6)).join(','),
    tolerance: String(placement.tolerance),
  }).toString()}`;
  return (
    <>
      <DataTable
        columns={[
          { header: 'target', cell: (k) => k },
          { header: 'G', cell: (k) => formatSI(placement.targets[k]!, 'S', 4) },
          { header: 'σ after verify', cell: (k) => formatSI(placement.sigma[k]!, 'S', 3) },
        ]}
        rows={placement.targets.map((_, k) => k)}
        rowKey={(k) => k}
        testId="placed-targets"
      />
      <p className="muted">
        Expected weight error: placed {formatNumber(placement.expectedError.placed, 3)}, evenly spaced{' '}
        {formatNumber(placement.expectedError.evenlySpaced, 3)}
        {placement.expectedError.tableLevels !== null
          ? `, this run's own ${placement.targets.length} levels ${formatNumber(placement.expectedError.tableLevels, 3)}`
          : ''}
        . σ: {placement.sigmaModel}.
      </p>
      <a href={href} className="button-link">
        Program them with write-verify →
      </a>
    </>
  );
}

/** Placement: write-verify targets chosen for a network, and a link that programs them. */
export function ProgramLevels({
  runId,
  maxBits,
  defaultBits,
}: {
  runId: number;
  maxBits: number;
  defaultBits: number;
}) {
  const models = useApiQuery('resources.list', {}).data?.models ?? [];
  const [model, setModel] = useState('lenet5-fashion');
  const [bits, setBits] = useState(String(Math.min(defaultBits, 5)));
  const [tolerance, setTolerance] = useState('0.2');
  const [placement, setPlacement] = useState<Placement>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const place = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setPlacement(
        await getApi().call['levels.place']({
          runId,
          model,
          bits: Number(bits),
          tolerance: Number(tolerance),
        }),
      );
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="place-title" data-testid="program-levels">
      <h2 id="place-title">Program these levels: targets placed for a network</h2>
      <p className="muted">
        Instead of the pulse counts a pulse train happens to give, choose the write-verify targets that
        minimise the network&apos;s expected weight error inside this run&apos;s window (Lloyd–Max,
        docs/methods.md).
      </p>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void place();
        }}
      >
        <SelectField
          label="Network"
          name="placeModel"
          value={model}
          onChange={setModel}
          options={models.map((m) => ({ value: m.id, label: m.title }))}
        />
        <SelectField
          label="Bits"
          name="placeBits"
          value={bits}
          onChange={setBits}
          options={Array.from({ length: Math.max(1, Math.min(8, maxBits + 2)) }, (_, k) => ({
            value: String(k + 1),
            label: `${k + 1} (${2 ** (k + 1)} targets)`,
          }))}
        />
        <TextField
          label="Verify band (± fraction of the gap)"
          name="placeTolerance"
          value={tolerance}
          onChange={setTolerance}
        />
        <div className="row wide">
          <button type="submit" disabled={busy}>
            Place targets
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      {placement ? <PlacementResult placement={placement} /> : null}
    </section>
  );
}
