import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatSI } from '../../shared/units';

export const METHOD_COLORS: Record<string, string> = {
  float: '#6b7280',
  'ideal-linear': '#2e7d32',
  linear: '#e8710a',
  mes: '#1f6feb',
};
/** One colour per phase on every plot (the conductance plot, the I–V plot and their legends). */
export const PHASE_COLORS: Readonly<Record<string, string>> = {
  ltp: '#1f6feb',
  ltd: '#e8710a',
  forming: '#7a3ff2',
  set: '#2e7d32',
  reset: '#b42318',
  verify: '#0e7490',
  read: '#a16207',
};
export const phaseColor = (phase: string) => PHASE_COLORS[phase] ?? '#6b7280';

export const CYCLE_COLORS = [
  '#1f6feb',
  '#e8710a',
  '#2e7d32',
  '#b42318',
  '#7a3ff2',
  '#0e7490',
  '#a16207',
  '#be185d',
];

export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Whole-number steps for counted axes (pulses, levels, reads): never a tick at 2.5 pulses. */
export const COUNT_INCREMENTS = [
  1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000,
  500_000, 1_000_000,
];
const countValues: uPlot.Axis['values'] = (_u, values) =>
  values.map((v) => (v !== null && Number.isInteger(v) ? String(v) : ''));

/** Tick labels with SI prefixes; on a log scale only 1, 2 and 5 × 10ⁿ are labelled. */
export function siValues(unit: string, log = false): uPlot.Axis['values'] {
  return (_u, values) =>
    values.map((v) => {
      if (v === null || v === undefined || !Number.isFinite(v)) return '';
      if (log) {
        const mantissa = Math.abs(v) / 10 ** Math.floor(Math.log10(Math.abs(v)));
        if (![1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6)) return '';
      }
      return formatSI(v, unit, 3);
    });
}

/** The colour of a fitted or model curve: the theme's text colour, so it reads on either background. */
export const curveColor = () => cssVar('--text');

/** Axes in the current theme's colours; counted axes get whole-number ticks. */
export function themedAxes(
  xLabel: string,
  yLabel: string,
  yValues?: uPlot.Axis['values'],
  counted: { x?: boolean; y?: boolean } = {},
): uPlot.Axis[] {
  const stroke = cssVar('--muted');
  const grid = { stroke: cssVar('--grid'), width: 1 };
  const count = { incrs: COUNT_INCREMENTS, values: countValues };
  return [
    { label: xLabel, stroke, grid, ticks: grid, ...(counted.x ? count : {}) },
    {
      label: yLabel,
      stroke,
      grid,
      ticks: grid,
      size: 70,
      ...(counted.y ? count : {}),
      ...(yValues ? { values: yValues } : {}),
    },
  ];
}

/** Vertical ±σ bars for series `seriesIndex`, from an array of σ values in data units. */
export function errorBarsPlugin(
  seriesIndex: number,
  sigma: () => ArrayLike<number>,
  color: string,
): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const xs = u.data[0];
        const ys = u.data[seriesIndex] as ArrayLike<number | null>;
        const s = sigma();
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5 * devicePixelRatio;
        for (let i = 0; i < xs.length; i++) {
          const y = ys[i];
          if (y === null || y === undefined) continue;
          const x = u.valToPos(xs[i]!, 'x', true);
          const top = u.valToPos(y + s[i]!, 'y', true);
          const bottom = u.valToPos(y - s[i]!, 'y', true);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, bottom);
          ctx.moveTo(x - 4, top);
          ctx.lineTo(x + 4, top);
          ctx.moveTo(x - 4, bottom);
          ctx.lineTo(x + 4, bottom);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

/** Vertical marker lines at x positions (level candidates over a histogram). */
export function markersPlugin(positions: () => readonly number[], color: string): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        for (const p of positions()) {
          const x = u.valToPos(p, 'x', true);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

export interface PlotProps {
  /** Builds the uPlot options; a new object re-creates the plot. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height?: number;
  testId?: string;
  title: string;
  onPlot?: (plot: uPlot | undefined) => void;
}

/** uPlot in React: created with the options, updated in place when only the data changes, sized to its box. */
export function Plot({ options, data, height = 280, testId, title, onPlot }: PlotProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const el = host.current!;
    const u = new uPlot({ ...options, width: el.clientWidth || 600, height }, latest.current, el);
    plot.current = u;
    onPlot?.(u);
    const observer = new ResizeObserver(() => u.setSize({ width: el.clientWidth || 600, height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = undefined;
      onPlot?.(undefined);
    };
  }, [options, height, onPlot]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div className="plot" ref={host} data-testid={testId} role="img" aria-label={title} />;
}
