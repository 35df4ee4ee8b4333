import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatSI } from '../../shared/units';
import { cssVar, PHASE_COLORS, themedAxes } from './Plot';

/**
 * Streaming conductance data for a live plot. Appends are O(1) into growable typed arrays; the
 * plot redraws at most once per animation frame, whatever the point rate.
 */
export class LiveBuffer {
  x = new Float64Array(4096);
  ltp = new Float64Array(4096);
  ltd = new Float64Array(4096);
  other = new Float64Array(4096);
  length = 0;
  version = 0;
  min = Infinity;
  max = -Infinity;

  clear(): void {
    this.length = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.version++;
  }

  private grow(): void {
    const size = this.x.length * 2;
    for (const key of ['x', 'ltp', 'ltd', 'other'] as const) {
      const next = new Float64Array(size);
      next.set(this[key]);
      this[key] = next;
    }
  }

  /** One read: x is the read's running index; the value goes to its phase's series, NaN elsewhere. */
  push(g: number, phase: string): void {
    if (this.length === this.x.length) this.grow();
    const i = this.length++;
    this.x[i] = i;
    this.ltp[i] = phase === 'ltp' ? g : Number.NaN;
    this.ltd[i] = phase === 'ltd' ? g : Number.NaN;
    this.other[i] = phase !== 'ltp' && phase !== 'ltd' ? g : Number.NaN;
    if (g < this.min) this.min = g;
    if (g > this.max) this.max = g;
    this.version++;
  }

  /**
   * What the plot draws. Up to `maxPoints` reads it is every point; beyond, each of ~maxPoints/2
   * equal buckets keeps the lowest and the highest value of each series (in read order), so the
   * envelope — and every outlier — survives at a fixed drawing cost whatever the run length.
   */
  data(maxPoints = 4000): uPlot.AlignedData {
    const n = this.length;
    if (n <= maxPoints) {
      // NaN in a series reads as "no point here" with points-only drawing.
      return [
        this.x.subarray(0, n),
        this.ltp.subarray(0, n),
        this.ltd.subarray(0, n),
        this.other.subarray(0, n),
      ] as unknown as uPlot.AlignedData;
    }
    const buckets = maxPoints >> 1;
    const size = n / buckets;
    const x = new Float64Array(2 * buckets);
    const series = [this.ltp, this.ltd, this.other];
    const out = series.map(() => new Float64Array(2 * buckets).fill(Number.NaN));
    for (let b = 0; b < buckets; b++) {
      const start = Math.floor(b * size);
      const end = Math.min(n, Math.floor((b + 1) * size));
      x[2 * b] = start;
      x[2 * b + 1] = Math.max(start, end - 1);
      series.forEach((values, s) => {
        let lo = -1;
        let hi = -1;
        for (let i = start; i < end; i++) {
          const v = values[i]!;
          if (Number.isNaN(v)) continue;
          if (lo < 0 || v < values[lo]!) lo = i;
          if (hi < 0 || v > values[hi]!) hi = i;
        }
        if (lo < 0) return;
        const [first, second] = lo <= hi ? [lo, hi] : [hi, lo];
        out[s]![2 * b] = values[first]!;
        out[s]![2 * b + 1] = values[second]!;
      });
    }
    return [x, ...out] as unknown as uPlot.AlignedData;
  }
}

const pointsOnly = (stroke: string): uPlot.Series => ({
  stroke,
  width: 0,
  paths: () => null,
  points: { show: true, size: 4, stroke, fill: stroke },
});

export function LivePlot({
  buffer,
  height = 300,
  onFrame,
  targets,
}: {
  buffer: LiveBuffer;
  height?: number;
  onFrame?: (ms: number) => void;
  /** Write-verify targets with their bands (±): drawn as dashed lines in shaded bands. */
  targets?: { g: number[]; band: number[] } | undefined;
}) {
  const host = useRef<HTMLDivElement>(null);
  const targetsRef = useRef(targets);
  targetsRef.current = targets;
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      // The series carry NaN where a read belongs to another phase, which uPlot's auto-range
      // does not skip: the buffer tracks the range itself.
      scales: {
        // One read (after forming) sits in the middle, not on the frame's edge.
        x: {
          time: false,
          range: () => (buffer.length === 1 ? [-1, 1] : [0, Math.max(1, buffer.length - 1)]),
        },
        y: {
          range: () => {
            const t = targetsRef.current;
            const lo = Math.min(buffer.min, ...(t ? t.g.map((g, k) => g - t.band[k]!) : []));
            const hi = Math.max(buffer.max, ...(t ? t.g.map((g, k) => g + t.band[k]!) : []));
            if (!(hi >= lo)) return [0, 1];
            const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1e-9;
            return [lo - pad, hi + pad];
          },
        },
      },
      series: [
        { label: 'read' },
        { label: 'LTP', ...pointsOnly(PHASE_COLORS.ltp!) },
        { label: 'LTD', ...pointsOnly(PHASE_COLORS.ltd!) },
        { label: 'other', ...pointsOnly(cssVar('--muted')) },
      ],
      // Empty, the scale is a placeholder: no tick labels rather than a made-up 0–1 S.
      axes: themedAxes(
        'read number',
        'conductance',
        (_u, values) => values.map((v) => (buffer.length ? formatSI(v, 'S') : '')),
        { x: true },
      ),
      legend: { live: false },
      hooks: {
        drawAxes: [
          (u: uPlot) => {
            const t = targetsRef.current;
            if (!t) return;
            const { ctx, bbox } = u;
            ctx.save();
            for (const [k, g] of t.g.entries()) {
              const top = u.valToPos(g + t.band[k]!, 'y', true);
              const bottom = u.valToPos(g - t.band[k]!, 'y', true);
              ctx.fillStyle = 'rgba(14, 116, 144, 0.12)';
              ctx.fillRect(bbox.left, top, bbox.width, bottom - top);
              const y = u.valToPos(g, 'y', true);
              ctx.strokeStyle = 'rgba(14, 116, 144, 0.8)';
              ctx.setLineDash([4, 3]);
              ctx.beginPath();
              ctx.moveTo(bbox.left, y);
              ctx.lineTo(bbox.left + bbox.width, y);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
      cursor: { show: true, points: { show: false } },
    }),
    [buffer],
  );

  const [empty, setEmpty] = useState(buffer.length === 0);
  useEffect(() => {
    const el = host.current!;
    const u = new uPlot({ ...options, width: el.clientWidth || 600, height }, buffer.data(), el);
    const observer = new ResizeObserver(() => u.setSize({ width: el.clientWidth || 600, height }));
    observer.observe(el);
    let seen = -1;
    let frame = 0;
    const tick = () => {
      if (buffer.version !== seen) {
        seen = buffer.version;
        setEmpty(buffer.length === 0);
        const start = performance.now();
        // One low/high pair per pixel column of the plot: more points draw the same picture slower.
        u.setData(buffer.data(Math.max(400, 2 * Math.round(u.bbox.width / devicePixelRatio))));
        onFrame?.(performance.now() - start);
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      u.destroy();
    };
  }, [buffer, options, height, onFrame]);

  return (
    <div className="plot-frame">
      <div
        className="plot"
        ref={host}
        data-testid="live-plot"
        role="img"
        aria-label="Conductance of each read, live"
      />
      {empty ? <span className="plot-empty">No reads yet: start a run</span> : null}
    </div>
  );
}
