/**
 * Instrument: connect to the virtual SMU or a real one (serial, LAN, GPIB/USB/VISA) with the
 * declared connection settings and the sample it measures, see what is connected, and run the
 * read-only bring-up check.
 */
import { useEffect, useState } from 'react';
import type { InstrumentStatus } from '../../shared/api';
import { ReramError } from '../../shared/errors';
import { getApi } from '../api/client';
import { ErrorBanner } from '../components/Field';
import { Tabs } from '../components/Tabs';
import { errorText, useApiQuery } from '../hooks/api';
import { InstrumentStatusCard, type CheckItems } from './instrument/InstrumentStatusCard';
import { SampleFields, SourceFields } from './instrument/SourceFields';
import { useConnectForm } from './instrument/useConnectForm';

export function InstrumentPage({ status }: { status: InstrumentStatus | undefined }) {
  const form = useConnectForm(status);
  const models = useApiQuery('instrument.models', {}).data ?? [];
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [confirmHost, setConfirmHost] = useState<string>();
  const [check, setCheck] = useState<CheckItems>();
  // A new connection (or a disconnect) makes an earlier error stale.
  useEffect(() => setError(undefined), [status?.resource, status?.connected]);

  const connect = async (allowHost?: string) => {
    const next = form.request();
    if (!next) return;
    setBusy(true);
    setError(undefined);
    setCheck(undefined);
    try {
      if (allowHost) await getApi().call['instrument.allowHost']({ host: allowHost });
      setConfirmHost(undefined);
      await getApi().call['instrument.connect'](next);
    } catch (e) {
      if (e instanceof ReramError && e.code === 'NEEDS_CONFIRMATION')
        setConfirmHost(String(e.details?.host ?? ''));
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const disconnect = async () => {
    setBusy(true);
    setCheck(undefined);
    try {
      await getApi().call['instrument.disconnect']({});
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const runCheck = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setCheck((await getApi().call['instrument.check']({})).items);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="grid2">
      <section className="card" aria-labelledby="connect-title">
        <h2 id="connect-title">Connect</h2>
        <Tabs
          label="Instrument source"
          tabs={[
            ['virtual', 'Virtual SMU'],
            ['serial', 'Serial (RS-232)'],
            ['lan', 'LAN socket'],
            ['visa', 'GPIB / USB / VISA'],
          ]}
          selected={form.source}
          onSelect={form.setSource}
        />
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void connect();
          }}
        >
          <SourceFields form={form} models={models} />
          {form.source !== 'virtual' ? <SampleFields form={form} /> : null}
          <div className="row wide">
            <button type="submit" className="primary" disabled={busy || !form.ready}>
              {status?.connected ? 'Connect instead' : 'Connect'}
            </button>
            <button type="button" onClick={disconnect} disabled={busy || !status?.connected}>
              Disconnect
            </button>
            {busy ? <span className="muted">Working…</span> : null}
          </div>
          {status?.connected ? (
            <p className="muted wide">
              Connected to {status.resource}: it stays connected unless the new connection succeeds.
            </p>
          ) : null}
        </form>
        {confirmHost ? (
          <div className="warn-banner" role="alertdialog" aria-label="Confirm the host">
            Connect to <strong>{confirmHost}</strong> for the first time? Only allow hosts that are your
            instruments.{' '}
            <button type="button" className="primary" onClick={() => void connect(confirmHost)}>
              Allow and connect
            </button>{' '}
            <button type="button" onClick={() => setConfirmHost(undefined)}>
              Cancel
            </button>
          </div>
        ) : null}
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      </section>
      <InstrumentStatusCard
        status={status}
        models={models}
        busy={busy}
        check={check}
        onCheck={() => void runCheck()}
      />
    </div>
  );
}
