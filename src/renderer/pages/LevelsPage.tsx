import { useCallback, useEffect, useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { FittedCurve, LevelTable } from '../../shared/levels/level-table';
import { conductanceAfter } from '../../shared/levels/pulse-model';
import type { Point, RunSummary } from '../../shared/run';
import { formatNumber, formatPercent, formatSI } from '../../shared/units';
import type { ApiOutput } from '../../shared/api';
import { getApi } from '../api/client';
import { ErrorBanner, SelectField, TextField } from '../components/Field';
import { curveColor, CYCLE_COLORS, errorBarsPlugin, Plot, siValues, themedAxes } from '../components/Plot';
import { errorText, useApiEvent } from '../hooks/api';

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
        ...(fit
          ? [
              {
                label: `fit (NL ${formatNumber(fit.nl, 2)})`,
                stroke: curveColor(),
                width: 2,
                points: { show: false },
              },
            ]
          : []),
      ],
      axes: themedAxes(
        `${phase === 'ltp' ? 'potentiation' : 'depression'} pulses`,
        'conductance',
        siValues('S'),
        { x: true },
      ),
      legend: { live: false },
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
      title={`${phase === 'ltp' ? 'Potentiation (LTP)' : 'Depression (LTD)'}: conductance after each pulse, per cycle, with the fitted curve`}
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
        {formatNumber(fit.nl, 3)} ± {formatNumber(u.nl, 2)}
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
        {formatNumber(fit.a, 3)} pulses (curvature; the curve spans {fit.pMax})
      </dd>
      <dt>R²</dt>
      <dd>{formatNumber(fit.r2, 3)}</dd>
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
      axes: themedAxes('level', 'conductance', siValues('S'), { x: true }),
      legend: { live: false },
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

type FitQuality = ApiOutput<'levels.fit'>['quality'];
type Placement = ApiOutput<'levels.place'>;

/** The verdict on a table before it is saved: what is wrong, and what to do about it. */
function QualityPanel({ quality }: { quality: FitQuality }) {
  const title =
    quality.verdict === 'good'
      ? 'Good fit'
      : quality.verdict === 'poor'
        ? 'Poor fit: usable with care'
        : 'Failed fit: this table does not describe the device';
  return (
    <div className={`quality ${quality.verdict}`} data-testid="fit-quality" role="status">
      <strong>{title}</strong>
      {quality.reasons.length ? (
        <ul>
          {quality.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      {quality.suggestions.length ? (
        <>
          <span className="muted">What to do:</span>
          <ul>
            {quality.suggestions.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** Placement: write-verify targets chosen for a network, and a link that programs them. */
function ProgramLevels({
  runId,
  maxBits,
  defaultBits,
}: {
  runId: number;
  maxBits: number;
  defaultBits: number;
}) {
  const [models, setModels] = useState<Array<{ id: string; title: string }>>([]);
  const [model, setModel] = useState('lenet5-fashion');
  const [bits, setBits] = useState(String(Math.min(defaultBits, 5)));
  const [tolerance, setTolerance] = useState('0.2');
  const [placement, setPlacement] = useState<Placement>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void getApi()
      .call['resources.list']({})
      .then(
        (r) => setModels(r.models),
        () => undefined,
      );
  }, []);
  const place = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setPlacement(
        await getApi().call['levels.place']({
          runId,
          model,
          bits: Number(bits),
          tolerance: Number(tolerance),
        }),
      );
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const href = placement
    ? `#/characterize?${new URLSearchParams({
        procedure: 'write-verify',
        targets: placement.targets.map((g) => g.toPrecision(6)).join(','),
        tolerance: String(placement.tolerance),
      }).toString()}`
    : undefined;
  return (
    <section className="card" aria-labelledby="place-title" data-testid="program-levels">
      <h2 id="place-title">Program these levels: targets placed for a network</h2>
      <p className="muted">
        Instead of the pulse counts a pulse train happens to give, choose the write-verify targets that
        minimise the network&apos;s expected weight error inside this run&apos;s window (Lloyd–Max,
        docs/methods.md).
      </p>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void place();
        }}
      >
        <SelectField
          label="Network"
          name="placeModel"
          value={model}
          onChange={setModel}
          options={models.map((m) => ({ value: m.id, label: m.title }))}
        />
        <SelectField
          label="Bits"
          name="placeBits"
          value={bits}
          onChange={setBits}
          options={Array.from({ length: Math.max(1, Math.min(8, maxBits + 2)) }, (_, k) => ({
            value: String(k + 1),
            label: `${k + 1} (${2 ** (k + 1)} targets)`,
          }))}
        />
        <TextField
          label="Verify band (± fraction of the gap)"
          name="placeTolerance"
          value={tolerance}
          onChange={setTolerance}
        />
        <div className="row wide">
          <button type="submit" disabled={busy}>
            Place targets
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      {placement ? (
        <>
          <table className="data" data-testid="placed-targets">
            <thead>
              <tr>
                <th>target</th>
                <th>G</th>
                <th>σ after verify</th>
              </tr>
            </thead>
            <tbody>
              {placement.targets.map((g, k) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td>{formatSI(g, 'S', 4)}</td>
                  <td>{formatSI(placement.sigma[k], 'S', 3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            Expected weight error: placed {formatNumber(placement.expectedError.placed, 3)}, evenly spaced{' '}
            {formatNumber(placement.expectedError.evenlySpaced, 3)}
            {placement.expectedError.tableLevels !== null
              ? `, this run's own ${placement.targets.length} levels ${formatNumber(placement.expectedError.tableLevels, 3)}`
              : ''}
            . σ: {placement.sigmaModel}.
          </p>
          <a href={href} className="button-link">
            Program them with write-verify →
          </a>
        </>
      ) : null}
    </section>
  );
}

export function LevelsPage({ initialRun }: { initialRun: string | null }) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [runId, setRunId] = useState<number | undefined>(initialRun ? Number(initialRun) : undefined);
  const [points, setPoints] = useState<Point[]>([]);
  const [bits, setBits] = useState('all');
  const [spacing, setSpacing] = useState<'pulses' | 'conductance'>('pulses');
  const [table, setTable] = useState<LevelTable>();
  const [quality, setQuality] = useState<FitQuality>();
  const [fullLevels, setFullLevels] = useState(0);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [name, setName] = useState('');
  const [material, setMaterial] = useState('');
  const [saved, setSaved] = useState<string>();
  const [acknowledged, setAcknowledged] = useState(false);

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
    setRunId(initialRun ? Number(initialRun) : undefined);
  }, [initialRun]);

  useEffect(() => {
    if (runId === undefined) return;
    let live = true;
    setError(undefined);
    setSaved(undefined);
    setTable(undefined);
    setQuality(undefined);
    setAcknowledged(false);
    const api = getApi().call;
    void (async () => {
      try {
        const [pts, fit] = await Promise.all([
          api['runs.points']({ runId }),
          api['levels.fit']({
            runId,
            spacing,
            ...(bits === 'all' ? {} : { bits: Number(bits) }),
          }),
        ]);
        if (!live) return;
        setPoints(pts);
        setTable(fit.table);
        setQuality(fit.quality);
        setFullLevels(fit.fullLevels);
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
  }, [runId, bits, spacing]);

  // A selection must fit in the measured states: 2^b ≤ the full table's levels.
  const maxBits = fullLevels >= 2 ? Math.floor(Math.log2(fullLevels)) : 0;
  useEffect(() => {
    if (bits !== 'all' && maxBits > 0 && Number(bits) > maxBits) setBits('all');
  }, [bits, maxBits]);

  const save = async () => {
    if (runId === undefined) return;
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

  const ltp = table?.fits.find((f) => f.direction === 'ltp');
  const ltd = table?.fits.find((f) => f.direction === 'ltd');
  const risky = quality !== undefined && quality.verdict !== 'good';
  return (
    <div className="split">
      <section className="card form-column" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs to fit</h2>
        {runs.length === 0 ? (
          <p className="muted">No pulse-train or write-verify runs yet: run one on the Characterize page.</p>
        ) : null}
        <div className="table-scroll history">
          <table className="data" data-testid="runs">
            <thead>
              <tr>
                <th>run</th>
                <th>procedure</th>
                <th>cell</th>
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
                  <td>{r.cell ?? ''}</td>
                  <td>
                    <span className={`status ${r.status}`}>{r.status}</span>
                  </td>
                  <td>{r.pointCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
        ) : null}
        <ErrorBanner error={error} />
      </section>
      <div className="results-column">
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
        {runId !== undefined && table ? (
          <ProgramLevels runId={runId} maxBits={maxBits} defaultBits={bits === 'all' ? 3 : Number(bits)} />
        ) : null}
      </div>
    </div>
  );
}
