/** What a fit shows: the measured curves with the fit over them, its numbers, the level table and its verdict. */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { FittedCurve, LevelTable } from '../../../shared/levels/level-table';
import { conductanceAfter } from '../../../shared/levels/pulse-model';
import type { Point } from '../../../shared/run';
import { formatNumber, formatPercent, formatSI } from '../../../shared/units';
import type { ApiOutput } from '../../../shared/api';
import { curveColor, CYCLE_COLORS, errorBarsPlugin, Plot, siValues, themedAxes } from '../../components/Plot';
import { DataTable } from '../../components/DataTable';

const dots = (stroke: string, label: string): uPlot.Series => ({
  label,
  stroke,
  width: 0,
  paths: () => null,
  points: { show: true, size: 4, stroke, fill: stroke },
});

/** Measured reads of one direction, one series per cycle, with the fitted curve over them. */
export function CurvePlot({
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

export function FitSummary({ fit }: { fit: FittedCurve }) {
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

export function LevelTableView({ table }: { table: LevelTable }) {
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
      <DataTable
        columns={[
          { header: 'level', cell: (k) => k },
          { header: 'G', cell: (k) => formatSI(table.levels[k]!.g, 'S', 4) },
          { header: 'σ', cell: (k) => formatSI(table.levels[k]!.sigma, 'S', 3) },
          { header: 'n', cell: (k) => table.levels[k]!.n },
        ]}
        rows={table.levels.map((_, k) => k)}
        rowKey={(k) => k}
        testId="level-table"
      />
    </>
  );
}

export type FitQuality = ApiOutput<'levels.fit'>['quality'];
export type Placement = ApiOutput<'levels.place'>;

/** The verdict on a table before it is saved: what is wrong, and what to do about it. */
export function QualityPanel({ quality }: { quality: FitQuality }) {
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
