import { useCallback, useMemo, useRef, useState } from 'react';
import type { ApiEventPayload, InstrumentStatus } from '../../shared/api';
import { PROCEDURE_SCHEMAS, ProcedureParams } from '../../shared/procedures';
import { getApi } from '../api/client';
import { ErrorBanner, Progress } from '../components/Field';
import {
  formFields,
  formToRaw,
  initialFormValues,
  SchemaFields,
  type FormValues,
} from '../components/SchemaForm';
import { LiveBuffer, LivePlot } from '../components/LivePlot';
import { Tabs } from '../components/Tabs';
import { ScatterPlot } from '../components/ScatterPlot';
import { errorText, useApiEvent } from '../hooks/api';

type ProcedureId = keyof typeof PROCEDURE_SCHEMAS;

const fieldsFor = (procedure: ProcedureId) => formFields(PROCEDURE_SCHEMAS[procedure].schema, ['procedure']);

function initialValues(procedure: ProcedureId): FormValues {
  return initialFormValues(fieldsFor(procedure), PROCEDURE_SCHEMAS[procedure].suggested);
}

interface RunView {
  runId: number;
  procedure: string;
  done: number;
  total: number;
  remainingS: number | null;
  message?: string | undefined;
  ended?: ApiEventPayload<'run.ended'>;
}

export function CharacterizePage({ status }: { status: InstrumentStatus | undefined }) {
  const initialProcedure =
    (new URLSearchParams(location.hash.split('?')[1] ?? '').get('procedure') as ProcedureId | null) ??
    'pulse-train';
  const [procedure, setProcedure] = useState<ProcedureId>(
    Object.hasOwn(PROCEDURE_SCHEMAS, initialProcedure) ? initialProcedure : 'pulse-train',
  );
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(procedure));
  const [error, setError] = useState<string>();
  const [run, setRun] = useState<RunView>();
  const buffer = useMemo(() => new LiveBuffer(), []);
  const iv = useRef<{ v: number[]; i: number[] }>({ v: [], i: [] });
  const [ivVersion, setIvVersion] = useState(0);

  const choose = (next: ProcedureId) => {
    setProcedure(next);
    setValues(initialValues(next));
  };

  const fields = useMemo(() => fieldsFor(procedure), [procedure]);
  const raw = useMemo<Record<string, unknown>>(
    () => ({ procedure, ...formToRaw(fields, values) }),
    [procedure, fields, values],
  );
  const parsed = ProcedureParams.safeParse(raw);
  const fieldErrors = useMemo(() => {
    const errors: Record<string, string> = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? '');
        const value = raw[key];
        errors[key] ??=
          typeof value === 'number' && Number.isNaN(value)
            ? 'Enter a number (e.g. 1e-3 or 1m)'
            : issue.message;
      }
    }
    return errors;
  }, [parsed, raw]);

  useApiEvent(
    'run.points',
    useCallback(
      (event) => {
        if (event.runId !== run?.runId) return;
        for (const p of event.points) {
          if ((p.kind === 'read' || p.kind === 'final') && p.g !== null) buffer.push(p.g, p.phase);
          // Overflow and "no data" readings are not points of the I–V curve.
          if (p.v === null || p.i === null) continue;
          iv.current.v.push(p.v);
          iv.current.i.push(p.i);
        }
        setIvVersion((v) => v + 1);
      },
      [run?.runId, buffer],
    ),
  );
  useApiEvent(
    'run.progress',
    useCallback(
      (event) =>
        setRun((r) =>
          r && r.runId === event.runId
            ? {
                ...r,
                done: event.done,
                total: event.total,
                remainingS: event.remainingS,
                message: event.message,
              }
            : r,
        ),
      [],
    ),
  );
  useApiEvent(
    'run.ended',
    useCallback(
      (event) =>
        setRun((r) =>
          r && r.runId === event.runId
            ? { ...r, ended: event, done: event.status === 'completed' ? r.total : r.done }
            : r,
        ),
      [],
    ),
  );

  const start = async () => {
    if (!parsed.success) return;
    setError(undefined);
    buffer.clear();
    iv.current = { v: [], i: [] };
    setIvVersion((v) => v + 1);
    try {
      const { runId } = await getApi().call['runs.start']({ params: parsed.data });
      setRun({ runId, procedure, done: 0, total: 1, remainingS: null });
    } catch (e) {
      setError(errorText(e));
    }
  };

  const cancel = async () => {
    try {
      await getApi().call['runs.cancel']({});
    } catch (e) {
      setError(errorText(e));
    }
  };

  const running = Boolean(run && !run.ended);
  if (!status?.connected) {
    return (
      <section className="card">
        <h2>Characterize</h2>
        <p>
          Connect to an instrument first: <a href="#/instrument">Instrument page</a> (the Virtual SMU works
          out of the box).
        </p>
      </section>
    );
  }
  const spec = PROCEDURE_SCHEMAS[procedure];
  return (
    <div className="grid2">
      <section className="card" aria-labelledby="procedure-title">
        <h2 id="procedure-title">Procedure</h2>
        <Tabs
          label="Procedure"
          tabs={(Object.keys(PROCEDURE_SCHEMAS) as ProcedureId[]).map(
            (id) => [id, PROCEDURE_SCHEMAS[id].title] as const,
          )}
          selected={procedure}
          onSelect={choose}
          disabled={running}
        />
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <SchemaFields
            idPrefix={procedure}
            fields={fields}
            values={values}
            onChange={(key, text) => setValues((v) => ({ ...v, [key]: text }))}
            errors={fieldErrors}
          />
          {status.virtual ? null : (
            <p className="muted wide">
              Move the probes to the cell before starting; the cell number labels the run.
            </p>
          )}
          <div className="row wide">
            <button type="submit" className="primary" disabled={!parsed.success || running}>
              Start {spec.title.toLowerCase()}
            </button>
            <button type="button" onClick={cancel} disabled={!running}>
              Cancel
            </button>
          </div>
        </form>
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
        {run ? (
          <div className="card" style={{ marginTop: '0.75rem' }} data-testid="run-status">
            <Progress
              label={`Run ${run.runId} progress`}
              done={run.done}
              total={run.total}
              remainingS={running ? run.remainingS : null}
              message={run.ended ? undefined : run.message}
            />
            {run.ended ? (
              <p>
                Run {run.runId} {run.ended.status} with {run.ended.points} points, stored in the database.{' '}
                {(run.procedure === 'pulse-train' || run.procedure === 'write-verify') &&
                run.ended.status === 'completed' ? (
                  <a href={`#/levels?run=${run.runId}`}>Fit run {run.runId} on the Levels page →</a>
                ) : null}
                {run.ended.summary.formed === true
                  ? ` Formed at ${String(run.ended.summary.formingVoltage)} V.`
                  : run.ended.summary.formed === false
                    ? ' No forming event: raise the ramp stop or the compliance.'
                    : ''}
              </p>
            ) : (
              <p className="muted">
                Run {run.runId} is recording: points are saved as they arrive. Press Output OFF / Abort (or
                Esc) to stop at once.
              </p>
            )}
            {run.ended?.error ? <ErrorBanner error={run.ended.error.message} /> : null}
          </div>
        ) : null}
      </section>
      <section className="card" aria-labelledby="live-title">
        <h2 id="live-title">Live data</h2>
        <LivePlot buffer={buffer} />
        <h3 style={{ fontSize: '0.9rem' }}>I–V</h3>
        <ScatterPlot
          title="Current against voltage of every point"
          xUnit="V"
          yUnit="A"
          version={ivVersion}
          series={[{ xs: iv.current.v, ys: iv.current.i, color: '#1f6feb', label: 'I–V' }]}
        />
      </section>
    </div>
  );
}
