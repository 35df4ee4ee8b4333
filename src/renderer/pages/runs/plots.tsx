/** The plots of stored runs: conductance against time or pulse, endurance, and switching markers on the I–V. */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { type RunSummary, type RunTrace } from '../../../shared/run';
import { CYCLE_COLORS, phaseColor, Plot, siValues, themedAxes } from '../../components/Plot';

export function ConductancePlot({ traces }: { traces: Array<{ run: RunSummary; trace: RunTrace }> }) {
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
export function EndurancePlot({ trace }: { trace: RunTrace }) {
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

/** The voltage a forming, SET or RESET run found, with the rule that found it, for the I–V plot. */
export function switchingMarkers(
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
