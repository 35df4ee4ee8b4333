/**
 * Levels: fit a pulse-train or write-verify run into a level table (every measured state, or b
 * bits), read its verdict, save it as a device profile, and place write-verify targets for a
 * network.
 */
import { useEffect, useMemo, useState } from 'react';
import type { RunSummary } from '../../shared/run';
import { ErrorBanner } from '../components/Field';
import { useApiQuery } from '../hooks/api';
import { CurvePlot, FitSummary, LevelTableView } from './levels/charts';
import { FitRunList, SaveProfileForm, TablePicker } from './levels/controls';
import { ProgramLevels } from './levels/ProgramLevels';
import { useRunFit, type Spacing } from './levels/useRunFit';

const fittable = (run: RunSummary) => run.procedure === 'pulse-train' || run.procedure === 'write-verify';

export function LevelsPage({ initialRun }: { initialRun: string | null }) {
  const [runId, setRunId] = useState<number | undefined>(initialRun ? Number(initialRun) : undefined);
  const [bits, setBits] = useState('all');
  const [spacing, setSpacing] = useState<Spacing>('pulses');
  const [name, setName] = useState('');
  const [material, setMaterial] = useState('');
  const fit = useRunFit(runId, bits, spacing);
  const { table, quality, fullLevels } = fit;

  // A run that ends may be one to fit.
  const runList = useApiQuery('runs.list', { limit: 500 }, { reloadOn: ['run.ended'] });
  const runs = useMemo(() => (runList.data ?? []).filter(fittable), [runList.data]);
  useEffect(() => {
    setRunId(initialRun ? Number(initialRun) : undefined);
  }, [initialRun]);
  useEffect(() => {
    if (fit.suggestedName) setName((n) => n || fit.suggestedName!);
  }, [fit.suggestedName]);

  // A selection must fit in the measured states: 2^b ≤ the full table's levels.
  const maxBits = fullLevels >= 2 ? Math.floor(Math.log2(fullLevels)) : 0;
  useEffect(() => {
    if (bits !== 'all' && maxBits > 0 && Number(bits) > maxBits) setBits('all');
  }, [bits, maxBits]);

  const ltp = table?.fits.find((f) => f.direction === 'ltp');
  const ltd = table?.fits.find((f) => f.direction === 'ltd');
  return (
    <div className="split">
      <section className="card form-column" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs to fit</h2>
        <ErrorBanner error={runList.error} />
        {runList.data && runs.length === 0 ? (
          <p className="muted">No pulse-train or write-verify runs yet: run one on the Characterize page.</p>
        ) : null}
        <FitRunList runs={runs} runId={runId} onOpen={setRunId} />
        {table && runId !== undefined ? (
          <SaveProfileForm
            key={`${runId}|${bits}|${spacing}`}
            runId={runId}
            bits={bits}
            spacing={spacing}
            quality={quality}
            name={name}
            setName={setName}
            material={material}
            setMaterial={setMaterial}
          />
        ) : null}
        <ErrorBanner error={fit.error} />
      </section>
      <div className="results-column">
        <section className="card" aria-labelledby="fit-title">
          <h2 id="fit-title">{runId === undefined ? 'Pick a run' : `Run ${runId}: fit and level table`}</h2>
          {runId !== undefined ? (
            <>
              <TablePicker
                bits={bits}
                setBits={setBits}
                spacing={spacing}
                setSpacing={setSpacing}
                fullLevels={fullLevels}
                maxBits={maxBits}
              />
              <CurvePlot points={fit.points} fit={ltp} phase="ltp" />
              <CurvePlot points={fit.points} fit={ltd} phase="ltd" />
              <div className="row" style={{ alignItems: 'start', gap: '2rem' }}>
                {ltp ? <FitSummary fit={ltp} /> : null}
                {ltd ? <FitSummary fit={ltd} /> : null}
              </div>
              {fit.warnings.map((w) => (
                <p className="warn-banner" key={w}>
                  {w}
                </p>
              ))}
              {table ? <LevelTableView table={table} /> : null}
            </>
          ) : null}
        </section>
        {runId !== undefined && table ? (
          <ProgramLevels runId={runId} maxBits={maxBits} defaultBits={bits === 'all' ? 3 : Number(bits)} />
        ) : null}
      </div>
    </div>
  );
}
