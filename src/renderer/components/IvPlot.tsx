/**
 * Current against voltage, as SVG: axis titles, SI tick labels inside the frame, a legend, and by
 * default log |I|, so forming leakage (nA) and the compliance plateau (mA) are both visible.
 * I–V loops are not functions of V, so points are joined in measurement order.
 */
import { forwardRef, useMemo } from 'react';
import { niceTicks } from '../../shared/charts/svg';
import { formatSI } from '../../shared/units';

export interface IvSeries {
  label: string;
  color: string;
  v: ArrayLike<number>;
  i: ArrayLike<number>;
}

/** |I| below this is drawn at it (a reading of exactly 0 has no logarithm). */
const FLOOR = 1e-13;

export const IvPlot = forwardRef<
  SVGSVGElement,
  { series: IvSeries[]; log: boolean; title: string; width?: number; height?: number; testId?: string }
>(function IvPlot({ series, log, title, width = 640, height = 300, testId = 'iv-plot' }, ref) {
  const margin = { left: 72, right: 28, top: 34, bottom: 46 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const layout = useMemo(() => {
    let v0 = Infinity;
    let v1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    const yOf = (i: number) => (log ? Math.log10(Math.max(FLOOR, Math.abs(i))) : i);
    for (const s of series)
      for (let k = 0; k < s.v.length; k++) {
        const y = yOf(s.i[k]!);
        if (!Number.isFinite(s.v[k]!) || !Number.isFinite(y)) continue;
        v0 = Math.min(v0, s.v[k]!);
        v1 = Math.max(v1, s.v[k]!);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    const empty = !Number.isFinite(v0);
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
    const sx = (v: number) => margin.left + ((v - xLo) / (xHi - xLo)) * plotW;
    const sy = (y: number) => margin.top + plotH - ((y - yLo) / (yHi - yLo)) * plotH;
    return { empty, xTicks, yTicks, sx, sy, yOf };
  }, [series, log, plotW, plotH, margin.left, margin.top]);

  const { empty, xTicks, yTicks, sx, sy, yOf } = layout;
  return (
    <svg
      ref={ref}
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${width} ${height}`}
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
          No points yet
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
      {series.map((s) => {
        const path: string[] = [];
        for (let k = 0; k < s.v.length; k++) {
          const y = yOf(s.i[k]!);
          if (!Number.isFinite(s.v[k]!) || !Number.isFinite(y)) continue;
          path.push(`${path.length ? 'L' : 'M'}${sx(s.v[k]!).toFixed(1)} ${sy(y).toFixed(1)}`);
        }
        return (
          <g key={s.label} data-series={s.label}>
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
      })}
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
  );
});
