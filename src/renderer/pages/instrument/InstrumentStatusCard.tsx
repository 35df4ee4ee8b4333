/** What is connected: its identity, the sample, the bring-up check, and the instrument's messages. */
import { sampleLabel } from '../../../shared/cell-guard';
import type { ApiOutput, InstrumentStatus } from '../../../shared/api';
import { DataTable, type Column } from '../../components/DataTable';

export type CheckItems = ApiOutput<'instrument.check'>['items'];
export type Models = ApiOutput<'instrument.models'>;

const CHECK_COLUMNS: Array<Column<CheckItems[number]>> = [
  { header: 'Check', rowHeader: true, cell: (item) => item.name },
  { header: 'Status', cell: (item) => item.status.toUpperCase() },
  {
    header: 'Detail',
    cell: (item) => (
      <>
        {item.detail}
        {item.fix && item.status !== 'ok' ? <div className="muted">Fix: {item.fix}</div> : null}
      </>
    ),
  },
];

function CheckResult({ items }: { items: CheckItems }) {
  return (
    <DataTable
      columns={CHECK_COLUMNS}
      rows={items}
      rowKey={(item) => item.name}
      rowProps={(item) => ({ className: `status-${item.status}` })}
      testId="check-result"
      caption="Bring-up check (read-only: the output was not touched)"
      className="table check"
    />
  );
}

export function InstrumentStatusCard({
  status,
  models,
  busy,
  check,
  onCheck,
}: {
  status: InstrumentStatus | undefined;
  models: Models;
  busy: boolean;
  check: CheckItems | undefined;
  onCheck(): void;
}) {
  return (
    <section className="card" aria-labelledby="status-title">
      <h2 id="status-title">Instrument</h2>
      {status?.connected && status.identity ? (
        <>
          <dl className="kv" data-testid="idn">
            <dt>Make</dt>
            <dd>{status.identity.make}</dd>
            <dt>Model</dt>
            <dd>{status.identity.model}</dd>
            <dt>Serial</dt>
            <dd>{status.identity.serial}</dd>
            <dt>Firmware</dt>
            <dd>{status.identity.firmware}</dd>
            <dt>Driver</dt>
            <dd>{status.driver}</dd>
            <dt>Resource</dt>
            <dd data-testid="resource">{status.resource}</dd>
            <dt>Output</dt>
            <dd>{status.output === null ? 'unknown' : status.output ? 'ON' : 'off'}</dd>
            <dt>Sample</dt>
            <dd data-testid="sample">{status.sample ? sampleLabel(status.sample) : '—'}</dd>
            {status.simulator ? (
              <>
                <dt>Virtual SMU</dt>
                <dd>
                  {models.find((m) => m.id === status.simulator?.model)?.label ?? status.simulator.model},{' '}
                  {status.simulator.preset} cells, time scale {status.simulator.timeScale}
                </dd>
              </>
            ) : null}
          </dl>
          <div className="row">
            <button type="button" onClick={onCheck} disabled={busy || Boolean(status.activeRun)}>
              Check
            </button>
            <span className="muted">Bring-up check: read-only, the output is not touched.</span>
          </div>
          {check ? <CheckResult items={check} /> : null}
        </>
      ) : (
        <p className="muted">Not connected.</p>
      )}
      {status?.messages.length ? (
        <div>
          <h3 style={{ fontSize: '0.9rem' }}>Messages</h3>
          <ul data-testid="instrument-messages">
            {status.messages.map((m, k) => (
              <li key={k}>{m}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
