/**
 * The Predict form: the device table and network, the methods and bit widths, and the settings
 * generated from the schema; checked as it is typed.
 */
import type { Dispatch, SetStateAction } from 'react';
import type { PredictionProgress } from '../../../shared/api';
import { METHODS } from '../../../shared/quant/methods';
import type { ProfileSummary } from '../../../shared/profile/schema';
import { PREDICT_METHODS } from '../../../shared/rca/report';
import { NumberField, SelectField } from '../../components/Field';
import { SchemaFields } from '../../components/SchemaForm';
import { SETTINGS_FIELDS, type FormState, type tableChoice } from './form';

type Choice = ReturnType<typeof tableChoice>;
type Patch = (patch: Partial<FormState>) => void;
export interface BuiltinModel {
  id: string;
  title: string;
  data: string;
}

const toggle = <T,>(list: readonly T[], item: T) =>
  list.includes(item) ? list.filter((x) => x !== item) : [...list, item];

/** Where the prediction comes from: the profile and its table, the network and its test data. */
function SourceFields({
  form,
  set,
  profiles,
  models,
  choice: { profile, table },
  setModelFile,
  setDataFiles,
}: {
  form: FormState;
  set: Patch;
  profiles: ProfileSummary[];
  models: BuiltinModel[];
  choice: Choice;
  setModelFile(file: File | undefined): void;
  setDataFiles(files: File[]): void;
}) {
  return (
    <>
      <SelectField
        label="Device profile"
        name="profile"
        value={form.profile}
        onChange={(value) => set({ profile: value, table: '' })}
        options={profiles.map((p) => ({
          value: p.name,
          label: `${p.name}${p.readOnly ? ' (built-in)' : ''}`,
        }))}
        wide
      />
      {profile && profile.tables.length > 1 ? (
        <SelectField
          label="Level table"
          name="table"
          value={table?.name ?? ''}
          onChange={(value) => set({ table: value })}
          options={profile.tables.map((t) => ({
            value: t.name,
            label: `${t.programming === 'write-verify' ? 'write-verify' : t.programming === 'open-loop' ? 'pulse train (open loop)' : t.name} · ${t.levels} levels`,
          }))}
          hint="Which σ: after write-verify, or open-loop pulsing"
          wide
        />
      ) : (
        <p className="muted wide">{table ? `${table.levels} levels in '${table.name}'.` : ''}</p>
      )}
      <SelectField
        label="Network"
        name="model"
        value={form.model}
        onChange={(value) => set({ model: value })}
        options={[
          ...models.map((m) => ({ value: m.id, label: m.title })),
          { value: 'file', label: 'ONNX file…' },
        ]}
        hint={
          form.model === 'file'
            ? undefined
            : `Test set: its own (${models.find((m) => m.id === form.model)?.data ?? '…'})`
        }
      />
      {form.model === 'file' ? (
        <label className="field">
          <span>ONNX file</span>
          <input
            type="file"
            accept=".onnx"
            aria-label="ONNX model file"
            onChange={(e) => setModelFile(e.target.files?.[0])}
          />
        </label>
      ) : null}
      <details className="wide">
        <summary>Other test data</summary>
        <label className="field">
          <span>An IDX pair or a CIFAR-10 .bin</span>
          <input
            type="file"
            multiple
            aria-label="Test data files"
            onChange={(e) => setDataFiles([...(e.target.files ?? [])])}
          />
        </label>
      </details>
    </>
  );
}

function MethodFields({
  form,
  set,
  choice: { table, maxBits, bits },
}: {
  form: FormState;
  set: Patch;
  choice: Choice;
}) {
  return (
    <>
      <fieldset className="wide">
        <legend>Methods</legend>
        <div className="checks">
          {PREDICT_METHODS.map((m) => (
            <label key={m} title={METHODS[m].description}>
              <input
                type="checkbox"
                name={`method-${m}`}
                checked={form.methods.includes(m)}
                onChange={() => set({ methods: toggle(form.methods, m) })}
              />{' '}
              <span className="dot" style={{ background: METHODS[m].color }} aria-hidden="true" />{' '}
              {METHODS[m].label}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="wide">
        <legend>Bits per cell</legend>
        <div className="checks">
          {Array.from({ length: maxBits }, (_, k) => k + 1).map((b) => (
            <label key={b}>
              <input
                type="checkbox"
                name={`bits-${b}`}
                checked={bits.includes(b)}
                onChange={() => set({ bits: toggle(bits, b) })}
              />{' '}
              {b} ({2 ** b} levels)
            </label>
          ))}
        </div>
        {table ? (
          <span className="muted" data-testid="bits-note">
            This table has {table.levels} levels: up to {maxBits} bit{maxBits === 1 ? '' : 's'}.
          </span>
        ) : null}
      </fieldset>
    </>
  );
}

export function PredictForm({
  form,
  setForm,
  choice,
  errors,
  invalid,
  running,
  starting,
  onRun,
  onCancel,
  ...sources
}: {
  form: FormState;
  setForm: Dispatch<SetStateAction<FormState>>;
  choice: Choice;
  errors: Record<string, string>;
  invalid: boolean;
  running: PredictionProgress | null;
  starting: boolean;
  onRun(): void;
  onCancel(): void;
  profiles: ProfileSummary[];
  models: BuiltinModel[];
  setModelFile(file: File | undefined): void;
  setDataFiles(files: File[]): void;
}) {
  const set: Patch = (patch) => setForm((f) => ({ ...f, ...patch }));
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        onRun();
      }}
    >
      <SourceFields form={form} set={set} choice={choice} {...sources} />
      <MethodFields form={form} set={set} choice={choice} />
      <SchemaFields
        fields={SETTINGS_FIELDS}
        values={form.values}
        onChange={(key, value) => setForm((f) => ({ ...f, values: { ...f.values, [key]: value } }))}
        errors={errors}
        idPrefix="predict"
      />
      <NumberField
        label="Tile rows"
        name="tileRows"
        value={form.tileRows}
        onChange={(v) => set({ tileRows: v })}
        error={errors.tile}
      />
      <NumberField
        label="Tile columns"
        name="tileCols"
        value={form.tileCols}
        onChange={(v) => set({ tileCols: v })}
      />
      <div className="sticky-actions wide">
        <button type="submit" className="primary" disabled={Boolean(running) || invalid || starting}>
          Run prediction
        </button>
        <button type="button" onClick={onCancel} disabled={!running}>
          Cancel
        </button>
      </div>
    </form>
  );
}
