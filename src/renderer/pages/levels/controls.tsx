/** The Levels page's controls: the runs to fit, the table to cut from one, and saving it as a profile. */
import { useState } from 'react';
import type { RunSummary } from '../../../shared/run';
import { getApi } from '../../api/client';
import { ErrorBanner, SelectField, TextField } from '../../components/Field';
import { DataTable } from '../../components/DataTable';
import { errorText } from '../../hooks/api';
import { QualityPanel, type FitQuality } from './charts';
import type { Spacing } from './useRunFit';

export function FitRunList({
  runs,
  runId,
  onOpen,
}: {
  runs: RunSummary[];
  runId: number | undefined;
  onOpen(id: number): void;
}) {
  return (
    <DataTable
      columns={[
        {
          header: 'run',
          cell: (r) => (
            <button type="button" onClick={() => onOpen(r.id)} aria-label={`Open run ${r.id}`}>
              {r.id}
            </button>
          ),
        },
        { header: 'procedure', cell: (r) => r.procedure },
        { header: 'cell', cell: (r) => r.cell ?? '' },
        { header: 'status', cell: (r) => <span className={`status ${r.status}`}>{r.status}</span> },
        { header: 'points', cell: (r) => r.pointCount },
      ]}
      rows={runs}
      rowKey={(r) => r.id}
      rowProps={(r) => ({ 'aria-selected': r.id === runId })}
      testId="runs"
      scroll="table-scroll history"
    />
  );
}

/** Which table: every measured state, or b bits chosen by pulse count or evenly in conductance. */
export function TablePicker({
  bits,
  setBits,
  spacing,
  setSpacing,
  fullLevels,
  maxBits,
}: {
  bits: string;
  setBits(bits: string): void;
  spacing: Spacing;
  setSpacing(spacing: Spacing): void;
  fullLevels: number;
  maxBits: number;
}) {
  return (
    <div className="row">
      <SelectField
        label="Level table"
        name="bits"
        value={bits}
        onChange={setBits}
        options={[
          {
            value: 'all',
            label: `every measured state${fullLevels ? ` (${fullLevels} levels)` : ''}`,
          },
          ...Array.from({ length: Math.min(8, maxBits) }, (_, k) => k + 1).map((b) => ({
            value: String(b),
            label: `${b}-bit (${2 ** b} levels)`,
          })),
        ]}
        hint={fullLevels ? `The run has ${fullLevels} states: at most ${maxBits} bits.` : undefined}
      />
      {bits !== 'all' ? (
        <SelectField
          label="Levels spaced"
          name="spacing"
          value={spacing}
          onChange={(v) => setSpacing(v as 'pulses' | 'conductance')}
          options={[
            { value: 'pulses', label: 'by pulse count' },
            { value: 'conductance', label: 'evenly in conductance' },
          ]}
          hint="A saturating curve crowds pulse-spaced levels at the top"
        />
      ) : null}
    </div>
  );
}

/**
 * Save the table as a device profile; a table whose verdict is not good needs an acknowledgement
 * first. Keyed by the run and table, so a new fit asks again.
 */
export function SaveProfileForm({
  runId,
  bits,
  spacing,
  quality,
  name,
  setName,
  material,
  setMaterial,
}: {
  runId: number;
  bits: string;
  spacing: Spacing;
  quality: FitQuality | undefined;
  name: string;
  setName(name: string): void;
  material: string;
  setMaterial(material: string): void;
}) {
  const [saved, setSaved] = useState<string>();
  const [acknowledged, setAcknowledged] = useState(false);
  const [error, setError] = useState<string>();
  const risky = quality !== undefined && quality.verdict !== 'good';
  const save = async () => {
    setError(undefined);
    try {
      const profile = await getApi().call['profiles.fromRun']({
        runId,
        name: name.trim(),
        materialStack: material,
        spacing,
        ...(bits === 'all' ? {} : { bits: Number(bits) }),
      });
      setSaved(profile.name);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <>
      <form
        className="form"
        style={{ marginTop: '1rem' }}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h3 className="wide" style={{ fontSize: '0.95rem', margin: 0 }}>
          Save as a device profile
        </h3>
        {quality ? (
          <div className="wide">
            <QualityPanel quality={quality} />
          </div>
        ) : null}
        <TextField label="Profile name" name="profileName" value={name} onChange={setName} required />
        <TextField
          label="Material stack"
          name="material"
          value={material}
          onChange={setMaterial}
          placeholder="e.g. TiN/HfO2/Ti"
        />
        {risky ? (
          <label className="wide checkbox-line">
            <input
              type="checkbox"
              name="acknowledge"
              checked={acknowledged}
              onChange={(e) => setAcknowledged(e.target.checked)}
            />{' '}
            I have read the verdict and want this table anyway
          </label>
        ) : null}
        <div className="row wide">
          <button type="submit" className="primary" disabled={!name.trim() || (risky && !acknowledged)}>
            {risky ? 'Save anyway' : 'Save profile'}
          </button>
          {saved ? (
            <span data-testid="saved">
              Saved &lsquo;{saved}&rsquo;.{' '}
              <a href={`#/predict?profile=${encodeURIComponent(saved)}`}>Predict with it →</a>
            </span>
          ) : null}
        </div>
      </form>
      <ErrorBanner error={error} />
    </>
  );
}
