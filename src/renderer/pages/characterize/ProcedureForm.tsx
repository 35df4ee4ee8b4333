/** The procedure's form: the cell on the die, the schema's fields, the cell-harm acknowledgement, Start. */
import type { Dispatch, SetStateAction } from 'react';
import type { InstrumentStatus } from '../../../shared/api';
import type { FieldInfo } from '../../../shared/params';
import type { cellHarmWarnings } from '../../../shared/procedure-checks';
import { PROCEDURE_SCHEMAS, type ProcedureName } from '../../../shared/procedures';
import { DieMap, storeDieCells } from '../../components/DieMap';
import { SchemaFields } from '../../components/SchemaForm';

type Values = Record<string, string>;
type Warning = ReturnType<typeof cellHarmWarnings>[number];

/** The cell the run labels, picked on the die (its size typed when the instrument does not know it). */
function CellPicker({
  values,
  setValues,
  status,
  dieCells,
  setDieCells,
  error,
  running,
}: {
  values: Values;
  setValues: Dispatch<SetStateAction<Values>>;
  status: InstrumentStatus | undefined;
  dieCells: number;
  setDieCells(cells: number): void;
  error: string | undefined;
  running: boolean;
}) {
  return (
    <fieldset className="wide">
      <legend>Cell {values.cell ?? '0'}</legend>
      <DieMap
        count={dieCells}
        selected={[Number(values.cell ?? 0)]}
        onSelect={(cells) => setValues((v) => ({ ...v, cell: String(cells[0] ?? 0) }))}
        disabled={running}
      />
      {status?.simulator || status?.dieCells ? null : (
        <label className="field">
          <span>Cells on the die</span>
          <input
            name="dieCells"
            inputMode="numeric"
            value={String(dieCells)}
            onChange={(e) => {
              const n = Math.max(1, Math.min(4096, Math.round(Number(e.target.value) || 1)));
              storeDieCells(n);
              setDieCells(n);
            }}
          />
        </label>
      )}
      {error ? <span className="field-error">{error}</span> : null}
    </fieldset>
  );
}

function HarmWarnings({
  warnings,
  warningKey,
  acknowledged,
  setAcknowledged,
}: {
  warnings: Warning[];
  warningKey: string;
  acknowledged: string;
  setAcknowledged(key: string): void;
}) {
  if (!warnings.length) return null;
  return (
    <div className="warn-banner wide" role="alert" data-testid="harm-warnings">
      <ul className="plain">
        {warnings.map((w) => (
          <li key={w.field}>{w.message}</li>
        ))}
      </ul>
      <label className="checkbox-line">
        <input
          type="checkbox"
          name="acknowledgeHarm"
          checked={acknowledged === warningKey}
          onChange={(e) => setAcknowledged(e.target.checked ? warningKey : '')}
        />{' '}
        I understand; run it anyway
      </label>
    </div>
  );
}

export function ProcedureForm({
  procedure,
  values,
  setValues,
  fields,
  fieldErrors,
  warnings,
  warningKey,
  acknowledged,
  setAcknowledged,
  status,
  dieCells,
  setDieCells,
  valid,
  running,
  onStart,
  onCancel,
}: {
  procedure: ProcedureName;
  values: Values;
  setValues: Dispatch<SetStateAction<Values>>;
  fields: FieldInfo[];
  fieldErrors: Record<string, string>;
  warnings: Warning[];
  warningKey: string;
  acknowledged: string;
  setAcknowledged(key: string): void;
  status: InstrumentStatus;
  dieCells: number;
  setDieCells(cells: number): void;
  valid: boolean;
  running: boolean;
  onStart(): void;
  onCancel(): void;
}) {
  const spec = PROCEDURE_SCHEMAS[procedure];
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        onStart();
      }}
    >
      <CellPicker
        values={values}
        setValues={setValues}
        status={status}
        dieCells={dieCells}
        setDieCells={setDieCells}
        error={fieldErrors.cell}
        running={running}
      />
      <SchemaFields
        idPrefix={procedure}
        fields={fields.filter((f) => f.key !== 'cell')}
        values={values}
        onChange={(key, text) => setValues((v) => ({ ...v, [key]: text }))}
        errors={fieldErrors}
      />
      {status.virtual ? null : (
        <p className="muted wide">
          Move the probes to the cell before starting; the cell number labels the run.
        </p>
      )}
      {procedure === 'retention' && values.resumeFrom ? (
        <p className="muted wide" data-testid="continues">
          Continues run {values.resumeFrom}: its levels and reads are kept, the level the cell holds is read
          on at the schedule&apos;s remaining times, the rest are programmed as usual (&quot;Continue
          run&quot; under More settings; empty it to start afresh).
        </p>
      ) : null}
      <HarmWarnings
        warnings={warnings}
        warningKey={warningKey}
        acknowledged={acknowledged}
        setAcknowledged={setAcknowledged}
      />
      <div className="sticky-actions wide">
        <button type="submit" className="primary" disabled={!valid || running}>
          Start {spec.title.toLowerCase()}
        </button>
        <button type="button" onClick={onCancel} disabled={!running}>
          Cancel
        </button>
      </div>
    </form>
  );
}
