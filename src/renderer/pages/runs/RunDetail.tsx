/** One stored run: its plot (overlaid with the ticked runs), its actions, data sheet and settings. */
import { useEffect, useState } from 'react';
import { type RunSummary, type RunTrace } from '../../../shared/run';
import { getApi } from '../../api/client';
import { ErrorBanner } from '../../components/Field';
import { IvPlot } from '../../components/IvPlot';
import { CYCLE_COLORS } from '../../components/Plot';
import { errorText } from '../../hooks/api';
import { saveFile, type AppMode } from '../../files';
import { DataSheet } from './DataSheet';
import { SettingsSnapshot } from './SettingsSnapshot';
import { continuable, continueLink, keyParameters, outcomeText } from './describe';
import { ConductancePlot, EndurancePlot, switchingMarkers } from './plots';

type Trace = { run: RunSummary; trace: RunTrace };

/** The traces of the run and of the ticked runs beside it, fetched again when either changes. */
function useRunTraces(run: RunSummary, overlay: RunSummary[]) {
  const [traces, setTraces] = useState<Trace[]>([]);
  const [error, setError] = useState<string>();
  const overlayKey = overlay.map((r) => r.id).join(',');
  useEffect(() => {
    let live = true;
    setError(undefined);
    const shown = [run, ...overlay.filter((r) => r.id !== run.id)];
    void Promise.all(
      shown.map((r) =>
        getApi()
          .call['runs.trace']({ runId: r.id })
          .then((trace) => ({ run: r, trace })),
      ),
    )
      .then((list) => live && setTraces(list))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run.id, overlayKey]);
  return { traces, error };
}

/** Export, fit, continue, trash and delete: each reports its own failure beside the buttons. */
function RunActions({ run, mode, onChanged }: { run: RunSummary; mode: AppMode; onChanged: () => void }) {
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => setConfirmDelete(false), [run.id]);
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
    <>
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
    </>
  );
}

function RunPlots({ run, traces }: { run: RunSummary; traces: Trace[] }) {
  const [log, setLog] = useState(true);
  const hasReads = traces.some((t) => t.trace.reads.g.length > 0);
  // Sweeps are I–V curves, even with the read that follows them.
  const sweeps =
    traces.length > 0 && traces.every((t) => ['forming', 'set', 'reset'].includes(t.run.procedure));
  return (
    <>
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
    </>
  );
}

export function RunDetail({
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
  const { traces, error } = useRunTraces(run, overlay);
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
      <RunActions run={run} mode={mode} onChanged={onChanged} />
      <ErrorBanner error={error} />
      <RunPlots run={run} traces={traces} />
      <details>
        <summary>Data sheet ({run.pointCount} points)</summary>
        <DataSheet run={run} />
      </details>
      <SettingsSnapshot run={run} />
    </section>
  );
}
