/**
 * Current against voltage, as SVG: axis titles, SI tick labels inside the frame, a legend, and by
 * default log |I|, so forming leakage (nA) and the compliance plateau (mA) are both visible.
 * I–V loops are not functions of V, so points are joined in measurement order.
 */
import { forwardRef, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { niceTicks } from '../../shared/charts/svg';
import { formatSI } from '../../shared/units';

export interface IvSeries {
  label: string;
  color: string;
  /** Joined in measurement order (sweeps); false: markers only (pulses). Default true. */
  joined?: boolean;
  v: ArrayLike<number>;
  i: ArrayLike<number>;
}

/** A voltage the run found (V_form, V_SET, V_RESET), drawn as a dashed vertical line with its label. */
export interface IvMarker {
  v: number;
  label: string;
  color: string;
}

/** |I| below this is drawn at it (a reading of exactly 0 has no logarithm). */
const FLOOR = 1e-13;

/** The axes' ticks and the scales from data to pixels (log |I| or I against V). */
function ivLayout(
  series: readonly IvSeries[],
  log: boolean,
  frame: { left: number; top: number; plotW: number; plotH: number },
) {
  const { plotW, plotH } = frame;
  let v0 = Infinity;
  let v1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  // On a log axis, |I| at or below the floor has no place (0 V reads 0 A): it is left out.
  const yOf = (i: number) => (log ? (Math.abs(i) > FLOOR ? Math.log10(Math.abs(i)) : Number.NaN) : i);
  for (const s of series)
    for (let k = 0; k < s.v.length; k++) {
      if (!Number.isFinite(s.v[k]!)) continue;
      // The voltage axis spans every point (a sweep starts at 0 V even where log |I| has none).
      v0 = Math.min(v0, s.v[k]!);
      v1 = Math.max(v1, s.v[k]!);
      const y = yOf(s.i[k]!);
      if (!Number.isFinite(y)) continue;
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  const empty = !Number.isFinite(v0) || !Number.isFinite(y0);
  if (empty) return { empty, xTicks: [], yTicks: [], sx: () => 0, sy: () => 0, yOf };
  if (v1 - v0 < 1e-12) [v0, v1] = [v0 - 0.5, v1 + 0.5];
  const xTicks = niceTicks(v0, v1, 6);
  const xLo = Math.min(v0, xTicks[0]!);
  const xHi = Math.max(v1, xTicks[xTicks.length - 1]!);
  let yTicks: number[];
  let yLo: number;
  let yHi: number;
  if (log) {
    yLo = Math.floor(y0);
    yHi = Math.max(yLo + 1, Math.ceil(y1));
    const step = Math.max(1, Math.ceil((yHi - yLo) / 8));
    yTicks = [];
    for (let d = yLo; d <= yHi; d += step) yTicks.push(d);
  } else {
    if (y1 - y0 < 1e-18) [y0, y1] = [y0 - Math.abs(y0 || 1e-9), y1 + Math.abs(y1 || 1e-9)];
    yTicks = niceTicks(y0, y1, 6);
    yLo = Math.min(y0, yTicks[0]!);
    yHi = Math.max(y1, yTicks[yTicks.length - 1]!);
  }
  const sx = (v: number) => frame.left + ((v - xLo) / (xHi - xLo)) * plotW;
  const sy = (y: number) => frame.top + plotH - ((y - yLo) / (yHi - yLo)) * plotH;
  return { empty, xTicks, yTicks, sx, sy, yOf };
}

type Scale = (value: number) => number;

/** One series: joined in measurement order (broken where a point has no place), with its points. */
function SeriesMarks({ s, sx, sy, yOf }: { s: IvSeries; sx: Scale; sy: Scale; yOf: Scale }) {
  const path: string[] = [];
  let pen = 'M';
  for (let k = 0; k < s.v.length && s.joined !== false; k++) {
    const y = yOf(s.i[k]!);
    // A point without a current (0 V, a reading of 0) breaks the line on a log axis instead
    // of dropping to the floor and back.
    if (!Number.isFinite(s.v[k]!) || !Number.isFinite(y)) {
      pen = 'M';
      continue;
    }
    path.push(`${pen}${sx(s.v[k]!).toFixed(1)} ${sy(y).toFixed(1)}`);
    pen = 'L';
  }
  return (
    <g data-series={s.label}>
      <path d={path.join('')} fill="none" stroke={s.color} strokeWidth={1.2} opacity={0.6} />
      {s.v.length <= 3000
        ? Array.from({ length: s.v.length }, (_, k) => {
            const y = yOf(s.i[k]!);
            if (!Number.isFinite(s.v[k]!) || !Number.isFinite(y)) return null;
            return <circle key={k} cx={sx(s.v[k]!)} cy={sy(y)} r={1.8} fill={s.color} />;
          })
        : null}
    </g>
  );
}

/** The voltages a run found, as dashed lines labelled inside the frame. */
function Markers({
  markers,
  sx,
  frame,
}: {
  markers: readonly IvMarker[];
  sx: Scale;
  frame: { left: number; top: number; plotW: number; plotH: number };
}) {
  const { left, top, plotW, plotH } = frame;
  return (
    <>
      {markers.map((m, k) => (
        <g key={`m${k}`} data-marker={m.label}>
          <line
            x1={sx(m.v)}
            x2={sx(m.v)}
            y1={top}
            y2={top + plotH}
            stroke={m.color}
            strokeWidth={1.2}
            strokeDasharray="5 3"
          />
          <text
            x={sx(m.v) + (sx(m.v) > left + plotW - 90 ? -4 : 4)}
            y={top + plotH - 8 - 14 * k}
            textAnchor={sx(m.v) > left + plotW - 90 ? 'end' : 'start'}
            fontSize={11}
            fill={m.color}
          >
            {m.label}
          </text>
        </g>
      ))}
    </>
  );
}

export const IvPlot = forwardRef<
  SVGSVGElement,
  {
    series: IvSeries[];
    log: boolean;
    title: string;
    width?: number;
    height?: number;
    testId?: string;
    markers?: readonly IvMarker[];
    /** What an empty plot says (default: no points yet). */
    emptyText?: string;
  }
>(function IvPlot(
  { series, log, title, width: fixedWidth, height = 300, testId = 'iv-plot', markers = [], emptyText },
  ref,
) {
  // Drawn at the width it is shown at, so its text is the same size in every window (a fixed
  // viewBox stretched to 1,200 px doubled the fonts beside the conductance plot's).
  const box = useRef<HTMLDivElement>(null);
  const [measured, setMeasured] = useState<number>();
  useLayoutEffect(() => {
    const element = box.current;
    if (!element || fixedWidth !== undefined) return;
    const update = () => setMeasured(Math.max(320, Math.round(element.clientWidth)));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => observer.disconnect();
  }, [fixedWidth]);
  const width = fixedWidth ?? measured ?? 640;
  const margin = { left: 72, right: 28, top: 34, bottom: 46 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const layout = useMemo(
    () => ivLayout(series, log, { left: margin.left, top: margin.top, plotW, plotH }),
    [series, log, plotW, plotH, margin.left, margin.top],
  );

  const { empty, xTicks, yTicks, sx, sy, yOf } = layout;
  return (
    <div ref={box} className="iv-plot-box">
      <svg
        ref={ref}
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        className="iv-plot"
        role="img"
        aria-label={title}
        data-testid={testId}
        data-scale={log ? 'log' : 'linear'}
        fontFamily="DejaVu Sans, system-ui, sans-serif"
      >
        <text x={width / 2} y={18} textAnchor="middle" fontSize={13} fontWeight="bold" className="ink">
          {title}
        </text>
        <rect
          x={margin.left}
          y={margin.top}
          width={plotW}
          height={plotH}
          fill="none"
          className="frame"
          strokeWidth={1}
        />
        {empty ? (
          <text
            x={margin.left + plotW / 2}
            y={margin.top + plotH / 2}
            textAnchor="middle"
            className="muted-ink"
          >
            {emptyText ?? 'No points yet'}
          </text>
        ) : null}
        {xTicks.map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={margin.top} y2={margin.top + plotH} className="gridline" />
            <text
              x={Math.min(Math.max(sx(t), margin.left + 14), margin.left + plotW - 14)}
              y={margin.top + plotH + 15}
              textAnchor="middle"
              fontSize={11}
              className="ink"
            >
              {formatSI(t, 'V', 3)}
            </text>
          </g>
        ))}
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={margin.left} x2={margin.left + plotW} y1={sy(t)} y2={sy(t)} className="gridline" />
            <text x={margin.left - 6} y={sy(t) + 4} textAnchor="end" fontSize={11} className="ink">
              {log ? formatSI(10 ** t, 'A', 2) : formatSI(t, 'A', 3)}
            </text>
          </g>
        ))}
        <text x={margin.left + plotW / 2} y={height - 8} textAnchor="middle" fontSize={12} className="ink">
          voltage at the cell (V)
        </text>
        <text
          transform={`translate(16 ${margin.top + plotH / 2}) rotate(-90)`}
          textAnchor="middle"
          fontSize={12}
          className="ink"
        >
          {log ? '|current| (A, log scale)' : 'current (A)'}
        </text>
        {series.map((s) => (
          <SeriesMarks key={s.label} s={s} sx={sx} sy={sy} yOf={yOf} />
        ))}
        {empty ? null : (
          <Markers markers={markers} sx={sx} frame={{ left: margin.left, top: margin.top, plotW, plotH }} />
        )}
        <g>
          {series.map((s, k) => (
            <g key={s.label} transform={`translate(${margin.left + 10 + k * 120} ${margin.top + 12})`}>
              <rect width={10} height={10} y={-9} fill={s.color} />
              <text x={14} fontSize={11} className="ink">
                {s.label}
              </text>
            </g>
          ))}
        </g>
      </svg>
    </div>
  );
});
