import { useEffect, useRef } from 'react';
import { formatSI } from '../../shared/units';
import { cssVar } from './Plot';

export interface ScatterSeries {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  color: string;
  label: string;
}

/** A small canvas scatter plot (I–V loops are not functions of V, so not a uPlot line chart). */
export function ScatterPlot({
  series,
  xUnit,
  yUnit,
  height = 260,
  title,
  version,
}: {
  series: ScatterSeries[];
  xUnit: string;
  yUnit: string;
  height?: number;
  title: string;
  version?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current!;
    const draw = () => {
      const ratio = devicePixelRatio || 1;
      const width = el.clientWidth || 400;
      el.width = width * ratio;
      el.height = height * ratio;
      const ctx = el.getContext('2d')!;
      ctx.scale(ratio, ratio);
      ctx.clearRect(0, 0, width, height);
      let x0 = Infinity;
      let x1 = -Infinity;
      let y0 = Infinity;
      let y1 = -Infinity;
      for (const s of series) {
        for (let i = 0; i < s.xs.length; i++) {
          x0 = Math.min(x0, s.xs[i]!);
          x1 = Math.max(x1, s.xs[i]!);
          y0 = Math.min(y0, s.ys[i]!);
          y1 = Math.max(y1, s.ys[i]!);
        }
      }
      const muted = cssVar('--muted');
      ctx.fillStyle = muted;
      ctx.font = '12px system-ui';
      if (!Number.isFinite(x0)) {
        ctx.fillText('No points yet', 12, 20);
        return;
      }
      if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
      if (y0 === y1) [y0, y1] = [y0 - Math.abs(y0 || 1) * 0.1, y1 + Math.abs(y1 || 1) * 0.1];
      const pad = { l: 70, r: 10, t: 10, b: 30 };
      const px = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
      const py = (y: number) => height - pad.b - ((y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
      ctx.strokeStyle = cssVar('--grid');
      ctx.strokeRect(pad.l, pad.t, width - pad.l - pad.r, height - pad.t - pad.b);
      for (let k = 0; k <= 4; k++) {
        const xv = x0 + ((x1 - x0) * k) / 4;
        const yv = y0 + ((y1 - y0) * k) / 4;
        ctx.fillText(formatSI(xv, xUnit, 2), px(xv) - 16, height - 10);
        ctx.fillText(formatSI(yv, yUnit, 2), 4, py(yv) + 4);
      }
      for (const s of series) {
        ctx.fillStyle = s.color;
        for (let i = 0; i < s.xs.length; i++) ctx.fillRect(px(s.xs[i]!) - 1.5, py(s.ys[i]!) - 1.5, 3, 3);
      }
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(el);
    return () => observer.disconnect();
  }, [series, xUnit, yUnit, height, version]);
  return (
    <canvas
      ref={canvas}
      style={{ width: '100%', height }}
      role="img"
      aria-label={title}
      data-testid="iv-plot"
    />
  );
}
