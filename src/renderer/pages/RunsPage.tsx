/**
 * Runs: the data browser. Every run of every procedure with what it was and how it ended;
 * filter and search, tick runs to overlay them, open one to see its plot, its data sheet and
 * its settings snapshot; export it as CSV, hide it or delete it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { PROCEDURES, RUN_STATUSES, type Point, type RunSummary, type RunTrace } from '../../shared/run';
import { formatNumber, formatSI, takesSiPrefix } from '../../shared/units';
import { fieldsOf } from '../../shared/params';
import { PROCEDURE_SCHEMAS } from '../../shared/procedures';
import { parseCells } from '../../shared/recipes';
import { getApi } from '../api/client';
import { ErrorBanner, SelectField, TextField } from '../components/Field';
import { IvPlot } from '../components/IvPlot';
import { CYCLE_COLORS, phaseColor, Plot, siValues, themedAxes } from '../components/Plot';
import { errorText, useApiEvent } from '../hooks/api';
import { saveFile, type AppMode } from '../files';

const PAGE = 100;

/** A retention run that stopped (crash, quit, cancel, lost link) with its state checkpointed. */
function continuable(run: RunSummary): boolean {
  return (
    run.procedure === 'retention' &&
    run.status !== 'completed' &&
    run.status !== 'running' &&
    run.summary?.retentionState !== undefined
  );
}

/** The Characterize page with this run's parameters and "Continue run" set to it. */
function continueLink(run: RunSummary): string {
  const query = new URLSearchParams({ procedure: 'retention' });
  for (const [key, value] of Object.entries(run.params))
    if (
      key !== 'procedure' &&
      key !== 'resumeFrom' &&
      (typeof value === 'number' || typeof value === 'string')
    )
      query.set(key, String(value));
  query.set('resumeFrom', String(run.id));
  return `#/characterize?${query.toString()}`;
}

/** The two or three parameters that say what a run was. */
export function keyParameters(run: RunSummary): string {
  const p = run.params;
  const v = (key: string, unit: string) => (typeof p[key] === 'number' ? formatSI(p[key], unit) : undefined);
  const parts: Array<string | undefined> = [];
  switch (run.procedure) {
    case 'forming':
      parts.push(`to ${v('vStop', 'V')}`, `compliance ${v('compliance', 'A')}`);
      break;
    case 'set':
    case 'reset':
      parts.push(`peak ${v('vPeak', 'V')}`, `compliance ${v('compliance', 'A')}`);
      break;
    case 'read':
      parts.push(`${String(p.count ?? '')} reads at ${v('readV', 'V')}`);
      break;
    case 'pulse-train':
      parts.push(
        `${String(p.pulses)} pulses × ${String(p.cycles)} cycles`,
        `${v('setV', 'V')}/${v('resetV', 'V')}`,
        `width ${v('width', 's')}`,
      );
      break;
    case 'write-verify':
      parts.push(
        Array.isArray(p.targets) ? `${p.targets.length} placed targets` : `${String(p.levels)} levels`,
        `band ±${String(p.tolerance)}`,
      );
      break;
    case 'retention':
      parts.push(`${String(p.levels)} levels`, `read for ${v('duration', 's')} each`);
      break;
    case 'endurance':
      parts.push(
        `up to ${String(p.cycles)} cycles`,
        `${v('setV', 'V')}/${v('resetV', 'V')}`,
        `width ${v('width', 's')}`,
      );
      break;
  }
  return parts.filter(Boolean).join(', ');
}

/** How a run ended, in a few words. */
export function outcomeText(run: RunSummary): string {
  const s = run.summary;
  if (run.error) return run.error;
  if (!s) return '';
  if (s.formed === true) return `formed at ${formatSI(Number(s.formingVoltage), 'V')}`;
  if (run.procedure === 'retention' && Array.isArray(s.driftNu))
    return `drift ν ${(s.driftNu as number[]).map((nu) => nu.toFixed(3)).join(', ')} (${String(s.driftBetter)} fits better)`;
  if (run.procedure === 'endurance' && 'cyclesToFailure' in s)
    return typeof s.cyclesToFailure === 'number'
      ? `failed after ${s.cyclesToFailure} cycles (window below ${Math.round(Number(s.windowFraction) * 100)} %)`
      : `no failure in ${String(s.cyclesDone)} cycles`;
  if (s.formed === false) return 'did not form';
  if (run.procedure === 'set' || run.procedure === 'reset') {
    const name = run.procedure === 'set' ? 'V_SET' : 'V_RESET';
    return typeof s.switchingVoltage === 'number'
      ? `${name} ${formatSI(s.switchingVoltage, 'V')}`
      : typeof s.switchingCriterion === 'string'
        ? `no ${run.procedure.toUpperCase()} seen`
        : '';
  }
  if (Array.isArray(s.converged))
    return `${(s.converged as number[]).reduce((a, b) => a + b, 0)} of ${(s.converged as number[]).length * Number(s.attempts ?? 1)} verified`;
  return '';
}

function ConductancePlot({ traces }: { traces: Array<{ run: RunSummary; trace: RunTrace }> }) {
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const series: uPlot.Series[] = [{ label: 'read' }];
    traces.forEach(({ run }, k) =>
      series.push({
        label: `run ${run.id}${run.cell !== null ? ` (cell ${run.cell})` : ''}`,
        stroke: CYCLE_COLORS[k % CYCLE_COLORS.length]!,
        width: 0,
        paths: () => null,
        points: { show: true, size: 3, fill: CYCLE_COLORS[k % CYCLE_COLORS.length]! },
      }),
    );
    return {
      scales: { x: { time: false } },
      series,
      axes: themedAxes('read number within the run', 'conductance', siValues('S'), { x: true }),
      legend: { live: false },
    };
  }, [traces]);
  const data = useMemo(() => {
    // One x grid (read index); each run's reads at their own index, null elsewhere.
    const length = Math.max(0, ...traces.map((t) => t.trace.reads.g.length));
    const xs = Array.from({ length }, (_, k) => k);
    return [
      xs,
      ...traces.map(({ trace }) => xs.map((k) => trace.reads.g[k] ?? null)),
    ] as unknown as uPlot.AlignedData;
  }, [traces]);
  const decimated = traces.some((t) => t.trace.reads.decimated);
  return (
    <>
      <Plot title="Conductance of each read" options={options} data={data} height={300} testId="run-plot" />
      {decimated ? (
        <p className="muted">Long run: each bucket of reads is drawn by its lowest and highest value.</p>
      ) : null}
    </>
  );
}

/** An endurance run: LRS (read after SET) and HRS (after RESET) against the cycle, both on log axes. */
function EndurancePlot({ trace }: { trace: RunTrace }) {
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      series: [
        { label: 'cycle' },
        ...(['set', 'reset'] as const).map((phase) => ({
          label: phase === 'set' ? 'LRS (after SET)' : 'HRS (after RESET)',
          stroke: phaseColor(phase),
          width: 0,
          paths: () => null,
          points: { show: true, size: 4, fill: phaseColor(phase) },
        })),
      ],
      axes: themedAxes('SET/RESET cycle', 'conductance at the read voltage', siValues('S', true)),
      legend: { live: false },
    }),
    [],
  );
  const data = useMemo(() => {
    const { pulse, phase, g } = trace.reads;
    const cycles = [...new Set(pulse)].filter((c) => c > 0).sort((a, b) => a - b);
    const at = new Map(cycles.map((c, k) => [c, k]));
    const lrs: Array<number | null> = cycles.map(() => null);
    const hrs: Array<number | null> = cycles.map(() => null);
    pulse.forEach((c, k) => {
      const index = at.get(c);
      if (index === undefined || !(g[k]! > 0)) return;
      (phase[k] === 'set' ? lrs : hrs)[index] = g[k]!;
    });
    return [cycles, lrs, hrs] as unknown as uPlot.AlignedData;
  }, [trace]);
  return (
    <Plot
      title="HRS and LRS against SET/RESET cycles"
      options={options}
      data={data}
      height={300}
      testId="endurance-plot"
    />
  );
}

/** Every point of a run, in a scrolling table that fetches only the rows in view. */
const SHEET_COLUMNS: ReadonlyArray<{ label: string; width: string; cell: (p: Point) => string | number }> = [
  { label: 'seq', width: '7%', cell: (p) => p.seq },
  { label: 't', width: '11%', cell: (p) => formatSI(p.t, 's') },
  { label: 'V source', width: '11%', cell: (p) => formatSI(p.vSource, 'V') },
  { label: 'V', width: '11%', cell: (p) => formatSI(p.v, 'V') },
  { label: 'I', width: '12%', cell: (p) => formatSI(p.i, 'A') },
  { label: 'G', width: '12%', cell: (p) => formatSI(p.g, 'S') },
  { label: 'phase', width: '9%', cell: (p) => p.phase },
  { label: 'kind', width: '9%', cell: (p) => p.kind },
  { label: 'cycle', width: '9%', cell: (p) => p.cycle },
  { label: 'pulse', width: '9%', cell: (p) => p.pulse },
];

function DataSheet({ run }: { run: RunSummary }) {
  const rowHeight = 24;
  const height = 320;
  const [top, setTop] = useState(0);
  const pages = useRef(new Map<number, Point[] | 'loading'>());
  const [, setVersion] = useState(0);
  useEffect(() => {
    pages.current.clear();
    setTop(0);
  }, [run.id]);
  const first = Math.floor(top / rowHeight);
  const count = Math.ceil(height / rowHeight) + 2;
  const pageSize = 500;
  const rows: Array<Point | undefined> = [];
  for (let index = first; index < Math.min(run.pointCount, first + count); index++) {
    const page = Math.floor(index / pageSize);
    const cached = pages.current.get(page);
    if (cached === undefined) {
      pages.current.set(page, 'loading');
      void getApi()
        .call['runs.points']({ runId: run.id, afterSeq: page * pageSize - 1, limit: pageSize })
        .then((points) => {
          pages.current.set(page, points);
          setVersion((v) => v + 1);
        });
    }
    rows.push(cached && cached !== 'loading' ? cached[index - page * pageSize] : undefined);
  }
  return (
    <div
      className="sheet"
      style={{ height, overflowY: 'auto' }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      data-testid="data-sheet"
      tabIndex={0}
      aria-label={`Data sheet of run ${run.id}: ${run.pointCount} points`}
    >
      {/* One table, so the header's columns are the body's; spacer rows stand for the rows not drawn. */}
      <table className="data sheet-table">
        <colgroup>
          {SHEET_COLUMNS.map((c) => (
            <col key={c.label} style={{ width: c.width }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {SHEET_COLUMNS.map((c) => (
              <th key={c.label}>{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr aria-hidden="true" style={{ height: first * rowHeight }} />
          {rows.map((p, k) => (
            <tr key={first + k} style={{ height: rowHeight }}>
              {p ? (
                SHEET_COLUMNS.map((c) => <td key={c.label}>{c.cell(p)}</td>)
              ) : (
                <td colSpan={SHEET_COLUMNS.length} className="muted">
                  {first + k}…
                </td>
              )}
            </tr>
          ))}
          <tr
            aria-hidden="true"
            style={{ height: Math.max(0, run.pointCount - first - rows.length) * rowHeight }}
          />
        </tbody>
      </table>
    </div>
  );
}

/** A stored value as the user reads it: SI prefix and unit where it has one. */
function withUnit(value: unknown, unit: string | undefined): string {
  if (typeof value !== 'number') return typeof value === 'string' ? value : JSON.stringify(value);
  if (!unit) return formatNumber(value, 6);
  return takesSiPrefix(unit) ? formatSI(value, unit, 4) : `${formatNumber(value, 6)} ${unit}`;
}

function RunDetail({
  run,
  overlay,
  mode,
  onChanged,
}: {
  run: RunSummary;
  overlay: RunSummary[];
  mode: AppMode;
  onChanged: () => void;
}) {
  const [traces, setTraces] = useState<Array<{ run: RunSummary; trace: RunTrace }>>([]);
  const [settings, setSettings] = useState<Record<string, unknown>>();
  const settingUnits = (settings?.units ?? {}) as Record<string, string>;
  const paramFields = useMemo(
    () => new Map(fieldsOf(PROCEDURE_SCHEMAS[run.procedure].schema).map((f) => [f.key, f])),
    [run.procedure],
  );
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [log, setLog] = useState(true);
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => setConfirmDelete(false), [run.id]);
  const overlayKey = overlay.map((r) => r.id).join(',');
  useEffect(() => {
    let live = true;
    setError(undefined);
    const shown = [run, ...overlay.filter((r) => r.id !== run.id)];
    const api = getApi().call;
    void Promise.all(
      shown.map((r) => api['runs.trace']({ runId: r.id }).then((trace) => ({ run: r, trace }))),
    )
      .then((list) => live && setTraces(list))
      .catch((e: unknown) => live && setError(errorText(e)));
    void api['runs.settings']({ runId: run.id }).then(
      (s) => live && setSettings(s),
      () => live && setSettings({}),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run.id, overlayKey]);
  const hasReads = traces.some((t) => t.trace.reads.g.length > 0);
  // Sweeps are I–V curves, even with the read that follows them.
  const sweeps =
    traces.length > 0 && traces.every((t) => ['forming', 'set', 'reset'].includes(t.run.procedure));
  const exportCsv = async () => {
    try {
      const file = await getApi().call['runs.csv']({ runId: run.id });
      const where = await saveFile(mode, file.fileName, file.text, file.mime, ['csv']);
      if (where) setNotice(`Saved ${where}`);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const act = async (what: () => Promise<unknown>) => {
    try {
      await what();
      onChanged();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section
      className="card"
      aria-labelledby="run-detail-title"
      data-testid="run-detail"
      data-loaded={traces.some((t) => t.run.id === run.id) ? run.id : undefined}
    >
      <h2 id="run-detail-title">
        Run {run.id}: {run.procedure}
        {run.cell !== null ? `, cell ${run.cell}` : ''}{' '}
        <span className={`status ${run.status}`}>{run.status}</span>
      </h2>
      <p className="muted">
        {new Date(run.startedAt).toLocaleString()} · {run.pointCount} points · {keyParameters(run)}
        {outcomeText(run) ? ` · ${outcomeText(run)}` : ''}
      </p>
      <div className="row">
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
        {run.procedure === 'pulse-train' || run.procedure === 'write-verify' ? (
          <a className="button-link" href={`#/levels?run=${run.id}`}>
            Fit on Levels →
          </a>
        ) : null}
        {continuable(run) ? (
          <a
            className="button-link"
            href={continueLink(run)}
            title="A new run takes over this one's levels and reads, and reads the level the cell holds at the remaining times"
          >
            Continue this retention run →
          </a>
        ) : null}
        {run.hidden ? (
          <>
            <button
              type="button"
              onClick={() => void act(() => getApi().call['runs.hide']({ runIds: [run.id], hidden: false }))}
            >
              Restore from the trash
            </button>
            {confirmDelete ? (
              <span className="warn-banner" role="alert">
                Delete run {run.id} and its {run.pointCount} points for good?{' '}
                <button
                  type="button"
                  className="danger"
                  onClick={() => void act(() => getApi().call['runs.delete']({ runIds: [run.id] }))}
                >
                  Delete for good
                </button>{' '}
                <button type="button" onClick={() => setConfirmDelete(false)}>
                  Keep it
                </button>
              </span>
            ) : (
              <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
                Delete for good…
              </button>
            )}
          </>
        ) : (
          <button
            type="button"
            onClick={() => void act(() => getApi().call['runs.hide']({ runIds: [run.id], hidden: true }))}
          >
            Move to the trash
          </button>
        )}
        {notice ? (
          <span className="muted" role="status">
            {notice}
          </span>
        ) : null}
      </div>
      <ErrorBanner error={error} />
      {hasReads && traces.length === 1 && traces[0]!.run.procedure === 'endurance' ? (
        <EndurancePlot trace={traces[0]!.trace} />
      ) : hasReads && !sweeps ? (
        <ConductancePlot traces={traces.filter((t) => t.trace.reads.g.length)} />
      ) : null}
      {(sweeps || !hasReads) && traces.length ? (
        <>
          <label className="checkbox-line">
            <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} name="runLog" />{' '}
            log |I|
          </label>
          <IvPlot
            title={`I–V of run ${run.id}${traces.length > 1 ? ' and the ticked runs' : ''}`}
            log={log}
            testId="run-iv"
            series={traces.map(({ run: r, trace }, k) => ({
              label: `run ${r.id}`,
              color: CYCLE_COLORS[k % CYCLE_COLORS.length]!,
              v: trace.iv.v,
              i: trace.iv.i,
            }))}
            markers={traces.flatMap(({ run: r }, k) =>
              switchingMarkers(r, CYCLE_COLORS[k % CYCLE_COLORS.length]!),
            )}
          />
        </>
      ) : null}
      <details>
        <summary>Data sheet ({run.pointCount} points)</summary>
        <DataSheet run={run} />
      </details>
      <details>
        <summary>Settings snapshot</summary>
        <dl className="kv" data-testid="run-settings">
          {Object.entries(run.params).map(([k, v]) => (
            <div key={`p-${k}`} style={{ display: 'contents' }}>
              <dt>{paramFields.get(k)?.meta.label ?? k}</dt>
              <dd>{withUnit(v, paramFields.get(k)?.meta.unit)}</dd>
            </div>
          ))}
          {Object.entries(settings ?? {})
            .filter(([k]) => k !== 'units')
            .map(([k, v]) => (
              <div key={`s-${k}`} style={{ display: 'contents' }}>
                <dt>instrument {k}</dt>
                <dd>{withUnit(v, settingUnits[k])}</dd>
              </div>
            ))}
        </dl>
      </details>
    </section>
  );
}

export function RunsPage({
  mode,
  initialRun,
  initialCell,
}: {
  mode: AppMode;
  initialRun: string | null;
  initialCell?: string | null;
}) {
  const [procedure, setProcedure] = useState('');
  const [status, setStatus] = useState('');
  const [cell, setCell] = useState(initialCell ?? '');
  const [search, setSearch] = useState('');
  const [showHidden, setShowHidden] = useState(false);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [limit, setLimit] = useState(PAGE);
  const [selected, setSelected] = useState<number | undefined>(initialRun ? Number(initialRun) : undefined);
  const [ticked, setTicked] = useState<number[]>([]);
  const [error, setError] = useState<string>();
  // The Queue's cell syntax; an invalid filter says so instead of being ignored.
  const cellFilter = useMemo((): { cells?: number[]; error?: string } => {
    if (!cell.trim()) return {};
    try {
      return { cells: parseCells(cell) };
    } catch (e) {
      return { error: errorText(e) };
    }
  }, [cell]);

  const load = useCallback(async () => {
    try {
      const result = await getApi().call['runs.query']({
        limit,
        ...(procedure ? { procedure: procedure as RunSummary['procedure'] } : {}),
        ...(status ? { status: status as RunSummary['status'] } : {}),
        ...(cellFilter.cells ? { cells: cellFilter.cells } : {}),
        ...(search.trim() ? { search } : {}),
        includeHidden: showHidden,
      });
      setRuns(result.runs);
      setTotal(result.total);
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    }
  }, [limit, procedure, status, cellFilter, search, showHidden]);
  useEffect(() => {
    const timer = setTimeout(() => void load(), 150);
    return () => clearTimeout(timer);
  }, [load]);
  useApiEvent(
    'run.ended',
    useCallback(() => void load(), [load]),
  );
  const [current, setCurrent] = useState<RunSummary>();
  useEffect(() => {
    if (selected === undefined) return setCurrent(undefined);
    const found = runs.find((r) => r.id === selected);
    if (found) setCurrent(found);
    else
      void getApi()
        .call['runs.get']({ runId: selected })
        .then(setCurrent, () => setCurrent(undefined));
  }, [selected, runs]);
  // In the order they were ticked: a run ticked later takes the next colour, and the others keep theirs.
  const overlay = ticked.flatMap((id) => runs.filter((r) => r.id === id));

  return (
    <div className="split">
      <section className="card form-column runs-list" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs ({total})</h2>
        <div className="form">
          <SelectField
            label="Procedure"
            name="filterProcedure"
            value={procedure}
            onChange={setProcedure}
            options={[{ value: '', label: 'all' }, ...PROCEDURES.map((p) => ({ value: p, label: p }))]}
          />
          <SelectField
            label="Status"
            name="filterStatus"
            value={status}
            onChange={setStatus}
            options={[{ value: '', label: 'all' }, ...RUN_STATUSES.map((p) => ({ value: p, label: p }))]}
          />
          <TextField
            label="Cells"
            name="filterCell"
            value={cell}
            onChange={setCell}
            placeholder="0-3, 1,4,9"
            {...(cellFilter.error ? { error: cellFilter.error } : {})}
          />
          <TextField
            label="Search"
            name="filterSearch"
            value={search}
            onChange={setSearch}
            placeholder="text, #id"
          />
          <label className="checkbox-line wide">
            <input
              type="checkbox"
              name="showHidden"
              checked={showHidden}
              onChange={(e) => setShowHidden(e.target.checked)}
            />{' '}
            Show the trash
          </label>
        </div>
        <ErrorBanner error={error} />
        <div className="table-scroll">
          <table className="data" data-testid="run-list">
            <thead>
              <tr>
                <th aria-label="overlay" />
                <th>#</th>
                <th className="text">run</th>
                <th>points</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr
                  key={r.id}
                  data-run={r.id}
                  aria-selected={r.id === selected}
                  onClick={() => setSelected(r.id)}
                  className="clickable"
                >
                  <td onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox"
                      aria-label={`Overlay run ${r.id}`}
                      checked={ticked.includes(r.id)}
                      onChange={(e) =>
                        setTicked((t) => (e.target.checked ? [...t, r.id] : t.filter((x) => x !== r.id)))
                      }
                    />
                  </td>
                  <td>{r.id}</td>
                  <td className="text">
                    <strong>{r.procedure}</strong>
                    {r.cell !== null ? ` · cell ${r.cell}` : ''} ·{' '}
                    <span className={`status ${r.status}`}>{r.status}</span>
                    {r.hidden ? <span className="muted"> (hidden)</span> : null}
                    <br />
                    <span className="muted">
                      {new Date(r.startedAt).toLocaleString()} · {keyParameters(r)}
                      {outcomeText(r) ? ` · ${outcomeText(r)}` : ''}
                    </span>
                  </td>
                  <td>{r.pointCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {runs.length < total ? (
          <button type="button" onClick={() => setLimit((l) => l + PAGE)}>
            Show {Math.min(PAGE, total - runs.length)} more
          </button>
        ) : null}
      </section>
      <div className="results-column">
        {current ? (
          <RunDetail
            key={current.id}
            run={current}
            overlay={overlay}
            mode={mode}
            onChanged={() => {
              void load();
              void getApi()
                .call['runs.get']({ runId: current.id })
                .then(setCurrent, () => {
                  setSelected(undefined);
                  setCurrent(undefined);
                });
            }}
          />
        ) : (
          <section className="card">
            <h2>Pick a run</h2>
            <p className="muted">
              Click a run to see its plot, data and settings. Tick several to overlay them. Every run is
              stored as it was measured; nothing here changes the data except Delete.
            </p>
          </section>
        )}
      </div>
    </div>
  );
}

/** The voltage a forming, SET or RESET run found, with the rule that found it, for the I–V plot. */
function switchingMarkers(
  run: { id: number; procedure: string; summary: Record<string, unknown> | null },
  color: string,
) {
  const s = run.summary ?? {};
  const v =
    run.procedure === 'forming'
      ? s.formingVoltage
      : run.procedure === 'set' || run.procedure === 'reset'
        ? s.switchingVoltage
        : undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) return [];
  const name = run.procedure === 'forming' ? 'V_form' : run.procedure === 'set' ? 'V_SET' : 'V_RESET';
  return [{ v, label: `${name} ${Number(v.toPrecision(3))} V (run ${run.id})`, color }];
}
