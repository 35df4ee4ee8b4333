import { useEffect, useMemo, useState } from 'react';
import { sampleLabel } from '../../shared/cell-guard';
import type { ApiOutput, ConnectRequest, InstrumentStatus } from '../../shared/api';
import { ConnectionSettings } from '../../shared/connection';
import { ReramError } from '../../shared/errors';
import { DEVICE_PRESETS } from '../../shared/levels/presets';
import { getApi } from '../api/client';
import { ErrorBanner, NumberField, SelectField, TextField } from '../components/Field';
import {
  formFields,
  formToRaw,
  initialFormValues,
  SchemaFields,
  type FormValues,
} from '../components/SchemaForm';
import { Tabs } from '../components/Tabs';
import { errorText, useApiQuery } from '../hooks/api';

type Source = 'virtual' | 'serial' | 'lan' | 'visa';
type CheckItems = ApiOutput<'instrument.check'>['items'];

/** Serial basics shown up front; the rest of the declared connection settings sit under "More settings". */
const SERIAL_BASICS = ['baudRate', 'readTerminator'];
const CONNECTION_FIELDS = formFields(ConnectionSettings);

function CheckResult({ items }: { items: CheckItems }) {
  return (
    <table className="table check" data-testid="check-result">
      <caption>Bring-up check (read-only: the output was not touched)</caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Status</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.name} className={`status-${item.status}`}>
            <th scope="row">{item.name}</th>
            <td>{item.status.toUpperCase()}</td>
            <td>
              {item.detail}
              {item.fix && item.status !== 'ok' ? <div className="muted">Fix: {item.fix}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A text field's value kept in localStorage, so it is entered once. */
function useStoredText(key: string): [string, (value: string) => void] {
  const [value, setValue] = useState(() => localStorage.getItem(key) ?? '');
  return [
    value,
    (next: string) => {
      localStorage.setItem(key, next);
      setValue(next);
    },
  ];
}

export function InstrumentPage({ status }: { status: InstrumentStatus | undefined }) {
  const [source, setSource] = useState<Source>('virtual');
  const [model, setModel] = useState('2400');
  const models = useApiQuery('instrument.models', {}).data ?? [];
  const [preset, setPreset] = useState('AlOx/HfO2');
  const [timeScale, setTimeScale] = useState('1');
  const [seed, setSeed] = useState('1');
  // Entered once per connection and remembered.
  const [wafer, setWafer] = useStoredText('reram-sample-wafer');
  const [die, setDie] = useStoredText('reram-sample-die');
  const [ports, setPorts] = useState<Array<{ path: string; manufacturer?: string | undefined }>>([]);
  const [portWarning, setPortWarning] = useState<string>();
  const [path, setPath] = useState('');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('5025');
  const [resource, setResource] = useState('');
  const [connection, setConnection] = useState<FormValues>(() => initialFormValues(CONNECTION_FIELDS));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [confirmHost, setConfirmHost] = useState<string>();
  const [check, setCheck] = useState<CheckItems>();

  // The form shows what is connected (a 2450 stays a 2450 after a reload).
  useEffect(() => {
    if (status?.simulator) {
      setModel(status.simulator.model);
      setPreset(status.simulator.preset);
    }
  }, [status?.simulator]);

  // A new connection (or a disconnect) makes an earlier error stale.
  useEffect(() => setError(undefined), [status?.resource, status?.connected]);

  useEffect(() => {
    if (source !== 'serial') return;
    getApi()
      .call['instrument.ports']({})
      .then(
        (r) => {
          setPorts(r.ports);
          setPortWarning(r.warning);
          if (!path && r.ports[0]) setPath(r.ports[0].path);
        },
        (e: Error) => setPortWarning(e.message),
      );
  }, [source, path]);

  const settings = useMemo(
    () => ConnectionSettings.safeParse(formToRaw(CONNECTION_FIELDS, connection)),
    [connection],
  );
  const settingErrors = useMemo(() => {
    const errors: Record<string, string> = {};
    if (!settings.success)
      for (const issue of settings.error.issues) errors[String(issue.path[0])] ??= issue.message;
    return errors;
  }, [settings]);

  const request = (): ConnectRequest | undefined => {
    if (source === 'virtual')
      return { kind: 'virtual', model, preset, timeScale: Number(timeScale), seed: Number(seed) };
    if (!settings.success) return undefined;
    const target =
      source === 'serial'
        ? `ASRL${path}::INSTR`
        : source === 'lan'
          ? `TCPIP::${host.trim()}::${port}::SOCKET`
          : resource.trim();
    // The 2400 executes a command on CR; its TERMINATOR menu sets only what it sends back.
    return {
      kind: 'resource',
      resource: target,
      sample: { wafer: wafer.trim(), die: die.trim() },
      ...settings.data,
      ...(source === 'serial' && !settings.data.writeTerminator ? { writeTerminator: 'CR' } : {}),
    };
  };

  const connect = async (allowHost?: string) => {
    const next = request();
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

  const ready =
    source === 'virtual' ||
    (settings.success &&
      (source === 'serial'
        ? path.trim() !== ''
        : source === 'lan'
          ? host.trim() !== '' && Number(port) > 0
          : resource.trim() !== ''));
  const connectionFields = (basics: readonly string[], prefix: string) => (
    <SchemaFields
      idPrefix={prefix}
      fields={CONNECTION_FIELDS.filter((f) => basics.includes(f.key))
        .map((f) => ({ ...f, meta: { ...f.meta, advanced: false } }))
        .concat(
          CONNECTION_FIELDS.filter((f) => !basics.includes(f.key)).map((f) => ({
            ...f,
            meta: { ...f.meta, advanced: true },
          })),
        )}
      values={connection}
      onChange={(key, value) => setConnection((v) => ({ ...v, [key]: value }))}
      errors={settingErrors}
    />
  );
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
          selected={source}
          onSelect={setSource}
        />
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void connect();
          }}
        >
          {source === 'virtual' ? (
            <>
              <SelectField
                label="Instrument dialect"
                name="model"
                wide
                value={model}
                onChange={setModel}
                options={(models.length ? models : [{ id: model, label: model, links: [] }]).map((m) => ({
                  value: m.id,
                  label: m.links.length ? `${m.label} (${m.links.join(', ')})` : m.label,
                }))}
              />
              <SelectField
                label="Device preset"
                name="preset"
                wide
                value={preset}
                onChange={setPreset}
                options={DEVICE_PRESETS.map((p) => ({
                  value: p.name,
                  label: `${p.name} (NL ${p.nlLtp}/${p.nlLtd})`,
                }))}
              />
              <NumberField
                label="Time scale"
                name="timeScale"
                value={timeScale}
                onChange={setTimeScale}
                hint="1 = real time, 0 = instant"
              />
              <NumberField
                label="Die seed"
                name="seed"
                value={seed}
                onChange={setSeed}
                hint="same seed, same cells; each start is a new die"
              />
              <p className="muted wide">
                The virtual SMU is a separate process with simulated ReRAM cells (NeuroSim pulse model, cycle
                and read noise, forming). It speaks the chosen instrument&apos;s SCPI.
              </p>
            </>
          ) : source === 'serial' ? (
            <>
              <SelectField
                label="Port"
                name="port"
                value={ports.some((p) => p.path === path) ? path : ''}
                onChange={setPath}
                options={[
                  { value: '', label: 'Type a path below…' },
                  ...ports.map((p) => ({
                    value: p.path,
                    label: `${p.path}${p.manufacturer ? ` (${p.manufacturer})` : ''}`,
                  })),
                ]}
              />
              <TextField
                label="Device path"
                name="path"
                value={path}
                onChange={setPath}
                placeholder="/dev/ttyUSB0 or a pty"
                required
              />
              {connectionFields(SERIAL_BASICS, 'serial')}
              {portWarning ? <p className="warn-banner wide">{portWarning}</p> : null}
            </>
          ) : source === 'lan' ? (
            <>
              <TextField
                label="Host"
                name="host"
                value={host}
                onChange={setHost}
                placeholder="192.168.0.10"
                required
              />
              <NumberField
                label="Port"
                name="lanPort"
                value={port}
                onChange={setPort}
                hint="SCPI raw socket: 5025; 4200A KXCI: 1225 (NUL-terminated)"
              />
              {connectionFields(['timeoutMs'], 'lan')}
            </>
          ) : (
            <>
              <TextField
                label="Resource"
                name="resource"
                value={resource}
                onChange={setResource}
                placeholder="GPIB0::24::INSTR, USB0::0x05E6::0x2450::SN::INSTR, TCPIP::host::INSTR"
                hint="GPIB through a Prologix-style adapter (set it below) or VISA; USB through usbtmc or VISA"
                required
                wide
              />
              {connectionFields(['gpibAdapter', 'timeoutMs'], 'visa')}
            </>
          )}
          {source !== 'virtual' ? (
            <>
              <TextField
                label="Wafer"
                name="wafer"
                value={wafer}
                onChange={setWafer}
                hint="the sample its runs belong to"
              />
              <TextField
                label="Die or sample id"
                name="die"
                value={die}
                onChange={setDie}
                hint="the die map and cell states are per sample"
              />
            </>
          ) : null}
          <div className="row wide">
            <button type="submit" className="primary" disabled={busy || !ready}>
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
              <button type="button" onClick={runCheck} disabled={busy || Boolean(status.activeRun)}>
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
    </div>
  );
}
