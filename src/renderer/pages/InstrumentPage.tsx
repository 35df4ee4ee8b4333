import { useEffect, useState } from 'react';
import type { ConnectRequest, InstrumentStatus } from '../../shared/api';
import { DEVICE_PRESETS } from '../../shared/levels/presets';
import { getApi } from '../api/client';
import { ErrorBanner, NumberField, SelectField, TextField } from '../components/Field';
import { Tabs } from '../components/Tabs';
import { errorText } from '../hooks/api';

type Source = 'virtual' | 'serial' | 'lan';
const BAUDS = ['300', '600', '1200', '2400', '4800', '9600', '19200', '38400', '57600', '115200'] as const;

export function InstrumentPage({ status }: { status: InstrumentStatus | undefined }) {
  const [source, setSource] = useState<Source>('virtual');
  const [model, setModel] = useState<'2400' | '2450' | 'b2900'>('2400');
  const [preset, setPreset] = useState('AlOx/HfO2');
  const [timeScale, setTimeScale] = useState('1');
  const [seed, setSeed] = useState('1');
  const [ports, setPorts] = useState<Array<{ path: string; manufacturer?: string | undefined }>>([]);
  const [portWarning, setPortWarning] = useState<string>();
  const [path, setPath] = useState('');
  const [baud, setBaud] = useState<(typeof BAUDS)[number]>('9600');
  const [terminator, setTerminator] = useState<'LF' | 'CR' | 'CRLF'>('CR');
  const [flow, setFlow] = useState<'none' | 'xonxoff'>('none');
  const [parity, setParity] = useState<'none' | 'even' | 'odd'>('none');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('5025');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

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

  const connect = async () => {
    setBusy(true);
    setError(undefined);
    let request: ConnectRequest;
    if (source === 'virtual')
      request = { kind: 'virtual', model, preset, timeScale: Number(timeScale), seed: Number(seed) };
    else if (source === 'serial')
      request = {
        kind: 'resource',
        resource: `ASRL${path}::INSTR`,
        baudRate: Number(baud),
        // The 2400 executes a command on CR; its TERMINATOR menu sets only what it sends back.
        writeTerminator: 'CR',
        readTerminator: terminator,
        flow,
        parity,
      };
    else request = { kind: 'resource', resource: `TCPIP::${host}::${port}::SOCKET` };
    try {
      await getApi().call['instrument.connect'](request);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const disconnect = async () => {
    setBusy(true);
    try {
      await getApi().call['instrument.disconnect']({});
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const ready =
    source === 'virtual' ||
    (source === 'serial' ? path.trim() !== '' : host.trim() !== '' && Number(port) > 0);
  return (
    <div className="grid2">
      <section className="card" aria-labelledby="connect-title">
        <h2 id="connect-title">Connect</h2>
        <Tabs
          label="Instrument source"
          tabs={[
            ['virtual', 'Virtual SMU'],
            ['serial', 'Serial port (RS-232)'],
            ['lan', 'LAN socket'],
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
                value={model}
                onChange={setModel}
                options={[
                  { value: '2400', label: 'Keithley 2400 (RS-232)' },
                  { value: '2450', label: 'Keithley 2450 (LAN)' },
                  { value: 'b2900', label: 'Keysight B2900 (LAN)' },
                ]}
              />
              <SelectField
                label="Device preset"
                name="preset"
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
              <NumberField label="Die seed" name="seed" value={seed} onChange={setSeed} />
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
              <SelectField
                label="Baud"
                name="baud"
                value={baud}
                onChange={setBaud}
                options={BAUDS.map((b) => ({ value: b, label: b }))}
              />
              <SelectField
                label="Reply terminator"
                name="terminator"
                value={terminator}
                onChange={setTerminator}
                options={['CR', 'LF', 'CRLF'].map((t) => ({ value: t as 'CR', label: t }))}
                hint="The 2400's RS-232 TERMINATOR setting (factory: CR); commands always end in CR"
              />
              <SelectField
                label="Flow control"
                name="flow"
                value={flow}
                onChange={setFlow}
                options={[
                  { value: 'none', label: 'None' },
                  { value: 'xonxoff', label: 'XON/XOFF' },
                ]}
              />
              <SelectField
                label="Parity"
                name="parity"
                value={parity}
                onChange={setParity}
                options={['none', 'even', 'odd'].map((p) => ({ value: p as 'none', label: p }))}
              />
              {portWarning ? <p className="warn-banner wide">{portWarning}</p> : null}
            </>
          ) : (
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
                hint="SCPI raw socket: 5025"
              />
            </>
          )}
          <div className="row wide">
            <button type="submit" className="primary" disabled={busy || !ready}>
              {status?.connected ? 'Reconnect' : 'Connect'}
            </button>
            <button type="button" onClick={disconnect} disabled={busy || !status?.connected}>
              Disconnect
            </button>
            {busy ? <span className="muted">Working…</span> : null}
          </div>
        </form>
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      </section>
      <section className="card" aria-labelledby="status-title">
        <h2 id="status-title">Instrument</h2>
        {status?.connected && status.identity ? (
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
            {status.simulator ? (
              <>
                <dt>Virtual SMU</dt>
                <dd>
                  {status.simulator.preset} cells, time scale {status.simulator.timeScale}
                </dd>
              </>
            ) : null}
          </dl>
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
