import { useCallback, useEffect, useMemo, useState, type SetStateAction } from 'react';
import type { ApiEventPayload, InstrumentStatus } from '../../shared/api';
import type { Point } from '../../shared/run';
import { PROCEDURE_SCHEMAS, ProcedureParams } from '../../shared/procedures';
import { ReramError } from '../../shared/errors';
import { cellHarmWarnings, complianceCeiling, instrumentLimitErrors } from '../../shared/procedure-checks';
import { getApi } from '../api/client';
import { ErrorBanner, Progress } from '../components/Field';
import {
  fieldErrorsOf,
  formFields,
  formToRaw,
  initialFormValues,
  SchemaFields,
  type FormValues,
} from '../components/SchemaForm';
import { IvPlot, type IvSeries } from '../components/IvPlot';
import { DieMap } from '../components/DieMap';
import { phaseColor } from '../components/Plot';
import { formatSI } from '../../shared/units';
import { LiveBuffer, LivePlot } from '../components/LivePlot';
import { Tabs } from '../components/Tabs';
import { errorText, useApiEvent } from '../hooks/api';

type ProcedureId = keyof typeof PROCEDURE_SCHEMAS;

const fieldsFor = (procedure: ProcedureId) => formFields(PROCEDURE_SCHEMAS[procedure].schema, ['procedure']);

function initialValues(procedure: ProcedureId, overrides: Record<string, string> = {}): FormValues {
  const values = initialFormValues(fieldsFor(procedure), PROCEDURE_SCHEMAS[procedure].suggested);
  for (const [key, value] of Object.entries(overrides)) if (key in values) values[key] = value;
  return values;
}

/** The procedure and field values a link asks for (#/characterize?procedure=…&targets=…). */
function routeRequest(): { procedure: ProcedureId | undefined; overrides: Record<string, string> } {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const requested = params.get('procedure');
  const procedure =
    requested && Object.hasOwn(PROCEDURE_SCHEMAS, requested) ? (requested as ProcedureId) : undefined;
  const overrides: Record<string, string> = {};
  for (const [key, value] of params) if (key !== 'procedure') overrides[key] = value;
  return { procedure, overrides };
}

/**
 * Where the I–V points go: sweep and ramp steps as one joined series per phase, in measurement
 * order; pulses as markers only (joining a ±1.5 V pulse to the next pulse draws nothing real);
 * reads not at all (they are the conductance plot's). Colours are the phase's, as on every plot.
 */
class IvBuffer {
  series = new Map<string, { phase: string; joined: boolean; v: number[]; i: number[] }>();
  push(phase: string, kind: string, v: number, i: number): void {
    if (kind === 'read' || kind === 'final') return;
    const joined = kind !== 'pulse';
    const key = joined ? phase : `${phase} pulses`;
    const s = this.series.get(key) ?? { phase, joined, v: [], i: [] };
    s.v.push(v);
    s.i.push(i);
    this.series.set(key, s);
  }
  clear(): void {
    this.series.clear();
  }
  view(): IvSeries[] {
    return [...this.series.entries()].map(([label, s]) => ({
      label,
      color: phaseColor(s.phase),
      joined: s.joined,
      v: s.v,
      i: s.i,
    }));
  }
}

interface RunView {
  runId: number;
  procedure: string;
  done: number;
  total: number;
  remainingS: number | null;
  message?: string | undefined;
  ended?: ApiEventPayload<'run.ended'>;
  targets?: { g: number[]; band: number[] } | undefined;
}

/** Write-verify as it runs: per target level, the repeats tried and the ones that landed in band. */
class VerifyTally {
  tried = new Map<number, Set<number>>();
  landed = new Map<number, number[]>();
  push(p: { target: number | null; kind: string; cycle: number; g: number | null }): void {
    if (p.target === null) return;
    const cycles = this.tried.get(p.target) ?? new Set<number>();
    cycles.add(p.cycle);
    this.tried.set(p.target, cycles);
    if (p.kind === 'final' && p.g !== null)
      this.landed.set(p.target, [...(this.landed.get(p.target) ?? []), p.g]);
  }
  clear(): void {
    this.tried.clear();
    this.landed.clear();
  }
}

const live = {
  buffer: new LiveBuffer(),
  iv: new IvBuffer(),
  tally: new VerifyTally(),
  run: undefined as RunView | undefined,
  /** The last point shown, so points that arrived while the page was away are fetched once. */
  seq: -1,
};

function addPoints(points: readonly Point[]): void {
  for (const p of points) {
    if (p.seq <= live.seq) continue;
    live.seq = p.seq;
    if ((p.kind === 'read' || p.kind === 'final') && p.g !== null) live.buffer.push(p.g, p.phase);
    live.tally.push(p);
    // Overflow and "no data" readings are not points of the I–V curve.
    if (p.v === null || p.i === null) continue;
    live.iv.push(p.phase, p.kind, p.v, p.i);
  }
}

function WriteVerifyLevels({
  targets,
  tally,
}: {
  targets: { g: number[]; band: number[] };
  tally: VerifyTally;
}) {
  return (
    <table className="data" data-testid="verify-levels">
      <caption className="muted">
        Write-verify targets: each level's band and how many repeats landed in it
      </caption>
      <thead>
        <tr>
          <th>level</th>
          <th>target</th>
          <th>band</th>
          <th>landed</th>
          <th>mean of landed</th>
          <th className="text">status</th>
        </tr>
      </thead>
      <tbody>
        {targets.g.map((g, k) => {
          const tried = tally.tried.get(k)?.size ?? 0;
          const landed = tally.landed.get(k) ?? [];
          const status =
            tried === 0
              ? 'pending'
              : landed.length === tried
                ? 'pass'
                : landed.length === 0
                  ? 'fail'
                  : 'partial';
          return (
            <tr key={k} data-status={status}>
              <td>{k}</td>
              <td>{formatSI(g, 'S')}</td>
              <td>± {formatSI(targets.band[k], 'S')}</td>
              <td>
                {landed.length}/{tried}
              </td>
              <td>
                {landed.length ? formatSI(landed.reduce((a, b) => a + b, 0) / landed.length, 'S') : '—'}
              </td>
              <td className="text">
                <span
                  className={`status ${status === 'pass' ? 'completed' : status === 'fail' ? 'failed' : status}`}
                >
                  {status}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function CharacterizePage({ status }: { status: InstrumentStatus | undefined }) {
  const [procedure, setProcedure] = useState<ProcedureId>(() => routeRequest().procedure ?? 'pulse-train');
  const [values, setValues] = useState<Record<string, string>>(() =>
    initialValues(procedure, routeRequest().overrides),
  );
  const [error, setError] = useState<string>();
  const [cellWarning, setCellWarning] = useState<string>();
  // The last run's live view outlives the page: coming back shows it, with what arrived meanwhile.
  const { buffer, iv, tally } = live;
  const [run, setRunState] = useState<RunView | undefined>(live.run);
  const setRun = useCallback((next: SetStateAction<RunView | undefined>) => {
    setRunState((current) => {
      const value = typeof next === 'function' ? next(current) : next;
      live.run = value;
      return value;
    });
  }, []);
  useEffect(() => {
    const last = live.run;
    if (!last) return;
    let current = true;
    const api = getApi().call;
    void api['runs.points']({ runId: last.runId, afterSeq: live.seq }).then(
      (points) => {
        if (!current) return;
        addPoints(points);
        setIvVersion((v) => v + 1);
      },
      () => undefined,
    );
    if (!last.ended)
      void api['runs.get']({ runId: last.runId }).then(
        (stored) => {
          if (!current || stored.status === 'running') return;
          setRun((r) =>
            r && r.runId === stored.id && !r.ended
              ? {
                  ...r,
                  done: r.total,
                  ended: {
                    runId: stored.id,
                    status:
                      stored.status === 'completed' || stored.status === 'cancelled'
                        ? stored.status
                        : 'failed',
                    points: stored.pointCount,
                    error: stored.error ? { code: 'INTERNAL', message: stored.error } : null,
                    summary: stored.summary ?? {},
                  },
                }
              : r,
          );
        },
        () => undefined,
      );
    return () => {
      current = false;
    };
  }, [setRun]);
  const [, setIvVersion] = useState(0);
  const [logCurrent, setLogCurrent] = useState(true);
  const [storedCells, setDieCells] = useState(
    () => Number(localStorage.getItem('reram-die-cells') ?? 16) || 16,
  );
  const dieCells = status?.dieCells ?? status?.simulator?.cells ?? storedCells;

  const choose = useCallback((next: ProcedureId, overrides: Record<string, string> = {}) => {
    setProcedure(next);
    setValues(initialValues(next, overrides));
  }, []);
  // A link to another procedure (the guide, "program these levels") while this page is open.
  useEffect(() => {
    const onHash = () => {
      const { procedure: requested, overrides } = routeRequest();
      if (requested) choose(requested, overrides);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [choose]);

  const fields = useMemo(() => fieldsFor(procedure), [procedure]);
  const raw = useMemo<Record<string, unknown>>(
    () => ({ procedure, ...formToRaw(fields, values) }),
    [procedure, fields, values],
  );
  const parsed = ProcedureParams.safeParse(raw);
  const widthRange = status?.pulseWidth;
  const nplcRange = status?.nplc;
  const fieldErrors = useMemo(() => {
    const errors = parsed.success ? {} : fieldErrorsOf(parsed.error.issues, fields, raw);
    // The instrument's own limits, before Start: a run it cannot make is never recorded.
    return { ...instrumentLimitErrors(raw, { pulseWidth: widthRange, nplc: nplcRange }), ...errors };
  }, [parsed, raw, fields, widthRange, nplcRange]);
  // What would harm the cell: Start needs the user's acknowledgement.
  const warnings = useMemo(
    () => (parsed.success ? cellHarmWarnings(parsed.data, complianceCeiling(status?.simulator?.preset)) : []),
    [parsed, status?.simulator?.preset],
  );
  const [acknowledged, setAcknowledged] = useState('');
  const warningKey = warnings.map((w) => w.message).join('\n');
  const valid =
    parsed.success &&
    Object.keys(fieldErrors).length === 0 &&
    (warnings.length === 0 || acknowledged === warningKey);

  useApiEvent(
    'run.points',
    useCallback(
      (event) => {
        if (event.runId !== run?.runId) return;
        addPoints(event.points);
        setIvVersion((v) => v + 1);
      },
      [run?.runId],
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
                targets: event.targets ?? r.targets,
              }
            : r,
        ),
      [setRun],
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
      [setRun],
    ),
  );

  const start = async (acknowledgeCellState = false) => {
    if (!parsed.success || !valid) return;
    setError(undefined);
    setCellWarning(undefined);
    try {
      const { runId } = await getApi().call['runs.start']({ params: parsed.data, acknowledgeCellState });
      buffer.clear();
      iv.clear();
      tally.clear();
      live.seq = -1;
      setIvVersion((v) => v + 1);
      setRun({ runId, procedure, done: 0, total: 1, remainingS: null });
    } catch (e) {
      // The cell guard: the cell's recorded state says this procedure should not run on it.
      if (e instanceof ReramError && e.code === 'NEEDS_CONFIRMATION' && e.details?.cellGuard)
        setCellWarning(e.message);
      else setError(errorText(e));
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
    <div className="split">
      <section className="card form-column" aria-labelledby="procedure-title">
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
          <fieldset className="wide">
            <legend>Cell {values.cell ?? '0'}</legend>
            <DieMap
              count={dieCells}
              selected={[Number(values.cell ?? 0)]}
              onSelect={(cells) => setValues((v) => ({ ...v, cell: String(cells[0] ?? 0) }))}
              disabled={running}
            />
            {status.simulator || status.dieCells ? null : (
              <label className="field">
                <span>Cells on the die</span>
                <input
                  name="dieCells"
                  inputMode="numeric"
                  value={String(dieCells)}
                  onChange={(e) => {
                    const n = Math.max(1, Math.min(4096, Math.round(Number(e.target.value) || 1)));
                    localStorage.setItem('reram-die-cells', String(n));
                    setDieCells(n);
                  }}
                />
              </label>
            )}
            {fieldErrors.cell ? <span className="field-error">{fieldErrors.cell}</span> : null}
          </fieldset>
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
              Continues run {values.resumeFrom}: its levels and reads are kept, the level the cell holds is
              read on at the schedule&apos;s remaining times, the rest are programmed as usual (&quot;Continue
              run&quot; under More settings; empty it to start afresh).
            </p>
          ) : null}
          {warnings.length ? (
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
          ) : null}
          <div className="sticky-actions wide">
            <button type="submit" className="primary" disabled={!valid || running}>
              Start {spec.title.toLowerCase()}
            </button>
            <button type="button" onClick={cancel} disabled={!running}>
              Cancel
            </button>
          </div>
        </form>
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
        {cellWarning ? (
          <div className="warn-banner" role="alert" data-testid="cell-guard">
            {cellWarning}{' '}
            <button type="button" onClick={() => void start(true)}>
              Run anyway
            </button>{' '}
            <button type="button" className="primary" onClick={() => setCellWarning(undefined)}>
              Don&apos;t run
            </button>
          </div>
        ) : null}
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
                  ? ` Formed at ${formatSI(Number(run.ended.summary.formingVoltage), 'V')}.`
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
        <LivePlot buffer={buffer} targets={run?.targets} />
        {run?.targets ? <WriteVerifyLevels targets={run.targets} tally={tally} /> : null}
        <div className="row">
          <label className="checkbox-line">
            <input
              type="checkbox"
              name="logCurrent"
              checked={logCurrent}
              onChange={(e) => setLogCurrent(e.target.checked)}
            />{' '}
            log |I|
          </label>
        </div>
        <IvPlot title="Current against voltage of every point" series={iv.view()} log={logCurrent} />
      </section>
    </div>
  );
}
