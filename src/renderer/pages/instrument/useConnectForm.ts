/**
 * The Connect form's state: where the instrument is (virtual, serial, LAN, VISA), the declared
 * connection settings checked as typed, the sample it measures, and the request they make.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ConnectRequest, InstrumentStatus } from '../../../shared/api';
import { ConnectionSettings } from '../../../shared/connection';
import { getApi } from '../../api/client';
import { formFields, formToRaw, initialFormValues, type FormValues } from '../../components/SchemaForm';

export type Source = 'virtual' | 'serial' | 'lan' | 'visa';
export const CONNECTION_FIELDS = formFields(ConnectionSettings);

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

export function useConnectForm(status: InstrumentStatus | undefined) {
  const [source, setSource] = useState<Source>('virtual');
  const [model, setModel] = useState('2400');
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

  // The form shows what is connected (a 2450 stays a 2450 after a reload).
  useEffect(() => {
    if (status?.simulator) {
      setModel(status.simulator.model);
      setPreset(status.simulator.preset);
    }
  }, [status?.simulator]);

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

  const ready =
    source === 'virtual' ||
    (settings.success &&
      (source === 'serial'
        ? path.trim() !== ''
        : source === 'lan'
          ? host.trim() !== '' && Number(port) > 0
          : resource.trim() !== ''));

  return {
    source,
    setSource,
    model,
    setModel,
    preset,
    setPreset,
    timeScale,
    setTimeScale,
    seed,
    setSeed,
    wafer,
    setWafer,
    die,
    setDie,
    ports,
    setPorts,
    portWarning,
    setPortWarning,
    path,
    setPath,
    host,
    setHost,
    port,
    setPort,
    resource,
    setResource,
    connection,
    setConnection,
    settings,
    settingErrors,
    request,
    ready,
  };
}

export type ConnectForm = ReturnType<typeof useConnectForm>;
