import { useCallback, useEffect, useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { FittedCurve, LevelTable } from '../../shared/levels/level-table';
import { conductanceAfter } from '../../shared/levels/pulse-model';
import type { Point, RunSummary } from '../../shared/run';
import { formatPercent, formatSI } from '../../shared/units';
import { getApi } from '../api/client';
import { ErrorBanner, SelectField, TextField } from '../components/Field';
import { CYCLE_COLORS, errorBarsPlugin, Plot, themedAxes } from '../components/Plot';
import { errorText, useApiEvent } from '../hooks/api';

const siAxis: uPlot.Axis['values'] = (_u, values) => values.map((v) => formatSI(v, 'S'));
const dots = (stroke: string, label: string): uPlot.Series => ({
  label,
  stroke,
  width: 0,
  paths: () => null,
  points: { show: true, size: 4, stroke, fill: stroke },
});

/** Measured reads of one direction, one series per cycle, with the fitted curve over them. */
function CurvePlot({
  points,
  fit,
  phase,
}: {
  points: Point[];
  fit: FittedCurve | undefined;
  phase: 'ltp' | 'ltd';
}) {
  const reads = points.filter((p) => p.kind === 'read' && p.phase === phase && p.g !== null);
  const cycles = [...new Set(reads.map((p) => p.cycle))].sort((a, b) => a - b);
  const maxPulse = Math.max(0, ...reads.map((p) => p.pulse));
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: false } },
      series: [
        { label: 'pulses' },
        ...cycles.map((c, k) => dots(CYCLE_COLORS[k % CYCLE_COLORS.length]!, `cycle ${c + 1}`)),
        ...(fit ? [{ label: `fit (NL ${fit.nl.toFixed(2)})`, stroke: '#111827', width: 2 }] : []),
      ],
      axes: themedAxes(`${phase === 'ltp' ? 'potentiation' : 'depression'} pulses`, 'conductance', siAxis),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cycles.join(','), fit, phase],
  );
  const data = useMemo(() => {
    const xs = Array.from({ length: maxPulse + 1 }, (_, n) => n);
    const series = cycles.map((c) => {
      const y: Array<number | null> = new Array(maxPulse + 1).fill(null);
      for (const p of reads) if (p.cycle === c) y[p.pulse] = p.g;
      return y;
    });
    const curve = fit ? xs.map((n) => conductanceAfter(fit, n, phase)) : [];
    return [xs, ...series, ...(fit ? [curve] : [])] as uPlot.AlignedData;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [points, fit, phase]);
  if (reads.length === 0) return null;
  return (
    <Plot
      title={`${phase.toUpperCase()} reads and fit`}
      options={options}
      data={data}
      height={260}
      testId={`curve-${phase}`}
    />
  );
}

function FitSummary({ fit }: { fit: FittedCurve }) {
  const u = fit.uncertainty;
  return (
    <dl className="kv" data-testid={`fit-${fit.direction}`}>
      <dt>{fit.direction.toUpperCase()} NL</dt>
      <dd>
        {fit.nl.toFixed(2)} ± {u.nl.toFixed(2)}
        {fit.nlClamped ? ' (edge of the NeuroSim table)' : ''}
      </dd>
      <dt>Gmin</dt>
      <dd>
        {formatSI(fit.gMin, 'S')} ± {formatSI(u.gMin, 'S', 2)}
      </dd>
      <dt>Gmax</dt>
      <dd>
        {formatSI(fit.gMax, 'S')} ± {formatSI(u.gMax, 'S', 2)}
      </dd>
      <dt>A</dt>
      <dd>
        {fit.a.toFixed(1)} of {fit.pMax} pulses
      </dd>
      <dt>R²</dt>
      <dd>{fit.r2.toFixed(4)}</dd>
      <dt>RMSE</dt>
      <dd>{formatSI(fit.rmse, 'S', 2)}</dd>
      <dt>C2C σ</dt>
      <dd>{formatPercent(fit.c2cSigma)} of the window</dd>
    </dl>
  );
}

function LevelTableView({ table }: { table: LevelTable }) {
  const sigma = useMemo(() => table.levels.map((l) => l.sigma), [table]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: false } },
      series: [{ label: 'level' }, dots('#1f6feb', 'mean G')],
      axes: themedAxes('level', 'conductance', siAxis),
      plugins: [errorBarsPlugin(1, () => sigma, '#1f6feb')],
    }),
    [sigma],
  );
  const data = useMemo(
    () => [table.levels.map((_, k) => k), table.levels.map((l) => l.g)] as uPlot.AlignedData,
    [table],
  );
  return (
    <>
      <Plot
        title="Level table: mean conductance with ±σ bars"
        options={options}
        data={data}
        height={240}
        testId="level-plot"
      />
      <table className="data" data-testid="level-table">
        <thead>
          <tr>
            <th>level</th>
            <th>G</th>
            <th>σ</th>
            <th>n</th>
          </tr>
        </thead>
        <tbody>
          {table.levels.map((l, k) => (
            <tr key={k}>
              <td>{k}</td>
              <td>{formatSI(l.g, 'S', 4)}</td>
              <td>{formatSI(l.sigma, 'S', 3)}</td>
              <td>{l.n}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function LevelsPage({ initialRun }: { initialRun: string | null }) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [runId, setRunId] = useState<number | undefined>(initialRun ? Number(initialRun) : undefined);
  const [points, setPoints] = useState<Point[]>([]);
  const [bits, setBits] = useState('all');
  const [table, setTable] = useState<LevelTable>();
  const [warnings, setWarnings] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [name, setName] = useState('');
  const [material, setMaterial] = useState('');
  const [saved, setSaved] = useState<string>();

  const loadRuns = useCallback(async () => {
    const list = await getApi().call['runs.list']({ limit: 500 });
    setRuns(list.filter((r) => r.procedure === 'pulse-train' || r.procedure === 'write-verify'));
  }, []);
  useEffect(() => {
    void loadRuns();
  }, [loadRuns]);
  useApiEvent(
    'run.ended',
    useCallback(() => void loadRuns(), [loadRuns]),
  );

  useEffect(() => {
    if (runId === undefined) return;
    let live = true;
    setError(undefined);
    setSaved(undefined);
    setTable(undefined);
    const api = getApi().call;
    void (async () => {
      try {
        const [pts, fit] = await Promise.all([
          api['runs.points']({ runId }),
          api['levels.fit']({ runId, ...(bits === 'all' ? {} : { bits: Number(bits) }) }),
        ]);
        if (!live) return;
        setPoints(pts);
        setTable(fit.table);
        setWarnings(fit.warnings);
        setName((n) => n || `cell ${fit.run.cell ?? 0} · run ${runId}`);
      } catch (e) {
        if (live) {
          setError(errorText(e));
          setPoints(await api['runs.points']({ runId }).catch(() => []));
        }
      }
    })();
    return () => {
      live = false;
    };
  }, [runId, bits]);

  const save = async () => {
    if (runId === undefined) return;
    setError(undefined);
    try {
      const profile = await getApi().call['profiles.fromRun']({
        runId,
        name: name.trim(),
        materialStack: material,
        ...(bits === 'all' ? {} : { bits: Number(bits) }),
      });
      setSaved(profile.name);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const ltp = table?.fits.find((f) => f.direction === 'ltp');
  const ltd = table?.fits.find((f) => f.direction === 'ltd');
  return (
    <div className="grid2">
      <section className="card" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        {runs.length === 0 ? (
          <p className="muted">No pulse-train or write-verify runs yet: run one on the Characterize page.</p>
        ) : null}
        <table className="data" data-testid="runs">
          <thead>
            <tr>
              <th>run</th>
              <th>procedure</th>
              <th>status</th>
              <th>points</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} aria-selected={r.id === runId}>
                <td>
                  <button type="button" onClick={() => setRunId(r.id)} aria-label={`Open run ${r.id}`}>
                    {r.id}
                  </button>
                </td>
                <td>{r.procedure}</td>
                <td>{r.status}</td>
                <td>{r.pointCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {table ? (
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
            <TextField label="Profile name" name="profileName" value={name} onChange={setName} required />
            <TextField
              label="Material stack"
              name="material"
              value={material}
              onChange={setMaterial}
              placeholder="e.g. TiN/HfO2/Ti"
            />
            <div className="row wide">
              <button type="submit" className="primary" disabled={!name.trim()}>
                Save profile
              </button>
              {saved ? (
                <span data-testid="saved">
                  Saved &lsquo;{saved}&rsquo;.{' '}
                  <a href={`#/predict?profile=${encodeURIComponent(saved)}`}>Predict with it →</a>
                </span>
              ) : null}
            </div>
          </form>
        ) : null}
        <ErrorBanner error={error} />
      </section>
      <section className="card" aria-labelledby="fit-title">
        <h2 id="fit-title">{runId === undefined ? 'Pick a run' : `Run ${runId}: fit and level table`}</h2>
        {runId !== undefined ? (
          <>
            <div className="row">
              <SelectField
                label="Level table"
                name="bits"
                value={bits}
                onChange={setBits}
                options={[
                  { value: 'all', label: 'every measured state' },
                  ...[1, 2, 3, 4, 5, 6].map((b) => ({
                    value: String(b),
                    label: `${b}-bit (${2 ** b} levels)`,
                  })),
                ]}
              />
            </div>
            <CurvePlot points={points} fit={ltp} phase="ltp" />
            <CurvePlot points={points} fit={ltd} phase="ltd" />
            <div className="row" style={{ alignItems: 'start', gap: '2rem' }}>
              {ltp ? <FitSummary fit={ltp} /> : null}
              {ltd ? <FitSummary fit={ltd} /> : null}
            </div>
            {warnings.map((w) => (
              <p className="warn-banner" key={w}>
                {w}
              </p>
            ))}
            {table ? <LevelTableView table={table} /> : null}
          </>
        ) : null}
      </section>
    </div>
  );
}
