/** The Connect form's fields for each kind of source, and the sample the runs belong to. */
import type { Models } from './InstrumentStatusCard';
import { DEVICE_PRESETS } from '../../../shared/levels/presets';
import { NumberField, SelectField, TextField } from '../../components/Field';
import { SchemaFields } from '../../components/SchemaForm';
import { CONNECTION_FIELDS, type ConnectForm } from './useConnectForm';

/** Serial basics shown up front; the rest of the declared connection settings sit under "More settings". */
const SERIAL_BASICS = ['baudRate', 'readTerminator'];

/** The declared connection settings: the basics up front, the rest under "More settings". */
function ConnectionFields({
  form,
  basics,
  prefix,
}: {
  form: ConnectForm;
  basics: readonly string[];
  prefix: string;
}) {
  return (
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
      values={form.connection}
      onChange={(key, value) => form.setConnection((v) => ({ ...v, [key]: value }))}
      errors={form.settingErrors}
    />
  );
}

function VirtualFields({ form, models }: { form: ConnectForm; models: Models }) {
  const { model, setModel, preset, setPreset, timeScale, setTimeScale, seed, setSeed } = form;
  return (
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
        The virtual SMU is a separate process with simulated ReRAM cells (NeuroSim pulse model, cycle and read
        noise, forming). It speaks the chosen instrument&apos;s SCPI.
      </p>
    </>
  );
}

function SerialFields({ form }: { form: ConnectForm }) {
  const { ports, portWarning, path, setPath } = form;
  return (
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
      <ConnectionFields form={form} basics={SERIAL_BASICS} prefix="serial" />
      {portWarning ? <p className="warn-banner wide">{portWarning}</p> : null}
    </>
  );
}

function LanFields({ form }: { form: ConnectForm }) {
  const { host, setHost, port, setPort } = form;
  return (
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
      <ConnectionFields form={form} basics={['timeoutMs']} prefix="lan" />
    </>
  );
}

function VisaFields({ form }: { form: ConnectForm }) {
  const { resource, setResource } = form;
  return (
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
      <ConnectionFields form={form} basics={['gpibAdapter', 'timeoutMs']} prefix="visa" />
    </>
  );
}

export function SourceFields({ form, models }: { form: ConnectForm; models: Models }) {
  if (form.source === 'virtual') return <VirtualFields form={form} models={models} />;
  if (form.source === 'serial') return <SerialFields form={form} />;
  if (form.source === 'lan') return <LanFields form={form} />;
  return <VisaFields form={form} />;
}

export function SampleFields({ form }: { form: ConnectForm }) {
  const { wafer, setWafer, die, setDie } = form;
  return (
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
  );
}
