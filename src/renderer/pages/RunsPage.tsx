/**
 * Runs: the data browser. Every run of every procedure with what it was and how it ended;
 * filter and search, tick runs to overlay them, open one to see its plot, its data sheet and
 * its settings snapshot; export it as CSV, hide it or delete it.
 */
import { useEffect, useState } from 'react';
import { type RunSummary } from '../../shared/run';
import { getApi } from '../api/client';
import { ErrorBanner } from '../components/Field';
import { type AppMode } from '../files';
import { RunDetail } from './runs/RunDetail';
import { RunFilters, RunList } from './runs/RunList';
import { PAGE, useRunQuery } from './runs/useRunQuery';

export { keyParameters, outcomeText } from './runs/describe';

export function RunsPage({
  mode,
  initialRun,
  initialCell,
}: {
  mode: AppMode;
  initialRun: string | null;
  initialCell?: string | null;
}) {
  const query = useRunQuery(initialCell ?? '');
  const { runs, total, load } = query;
  const [selected, setSelected] = useState<number | undefined>(initialRun ? Number(initialRun) : undefined);
  const [ticked, setTicked] = useState<number[]>([]);
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
        <RunFilters filters={query.filters} setFilter={query.setFilter} cellError={query.cellError} />
        <ErrorBanner error={query.error} />
        <RunList
          runs={runs}
          selected={selected}
          ticked={ticked}
          onSelect={setSelected}
          onTick={(id, on) => setTicked((t) => (on ? [...t, id] : t.filter((x) => x !== id)))}
        />
        {runs.length < total ? (
          <button type="button" onClick={query.more}>
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
