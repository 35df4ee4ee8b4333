/**
 * Charts as standalone SVG: titled, with axis titles, a legend and the settings in a caption, so
 * an exported figure explains itself. Pure string building — the CLI renders it to PNG with
 * resvg, the app through a canvas. Small multiples (panels) share axes and one legend.
 */

export interface ChartPoint {
  x: number;
  y: number;
  /** Whisker ends (e.g. a 95 % CI); drawn clipped to the y domain. */
  lo?: number;
  hi?: number;
  /** Drawn as an open marker (e.g. a difference that is not significant). */
  hollow?: boolean;
}

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'down' | 'cross';

export interface ChartSeries {
  label: string;
  color: string;
  dash?: string;
  /** Marker shape: series that land on the same values stay told apart by shape. */
  marker?: MarkerShape;
  /** A level across the whole panel (a reference such as float accuracy) at its one point's y. */
  across?: boolean;
  points: ChartPoint[];
}

/** A marker as SVG at (x, y), filled or hollow. */
export function markerSvg(
  shape: MarkerShape | undefined,
  x: number,
  y: number,
  color: string,
  hollow = false,
  r = 3.5,
): string {
  const paint = hollow ? `fill="none" stroke="${color}" stroke-width="1.5"` : `fill="${color}"`;
  const at = (points: Array<[number, number]>) =>
    `<polygon points="${points.map(([dx, dy]) => `${(x + dx * r).toFixed(1)},${(y + dy * r).toFixed(1)}`).join(' ')}" ${paint}/>`;
  switch (shape) {
    case 'square':
      return at([
        [-0.9, -0.9],
        [0.9, -0.9],
        [0.9, 0.9],
        [-0.9, 0.9],
      ]);
    case 'triangle':
      return at([
        [0, -1.2],
        [1.1, 0.8],
        [-1.1, 0.8],
      ]);
    case 'down':
      return at([
        [0, 1.2],
        [1.1, -0.8],
        [-1.1, -0.8],
      ]);
    case 'diamond':
      return at([
        [0, -1.25],
        [1.1, 0],
        [0, 1.25],
        [-1.1, 0],
      ]);
    case 'cross':
      return `<path d="M${x - r} ${y - r}L${x + r} ${y + r}M${x - r} ${y + r}L${x + r} ${y - r}" stroke="${color}" stroke-width="2"/>`;
    default:
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" ${paint}/>`;
  }
}

export interface ChartPanel {
  title: string;
  series: ChartSeries[];
}

export interface ChartSpec {
  title: string;
  /** Lines under the plot: the settings that made it. */
  caption?: string[];
  xLabel: string;
  yLabel: string;
  /** Tick positions on x (counted axes: whole numbers only). */
  xTicks: number[];
  /** Tick label for an x value. */
  xFormat?: (x: number) => string;
  yFormat?: (y: number) => string;
  /** Hard bounds of y (accuracy: [0, 100]); the shown range is fitted to the data inside them. */
  yBounds?: [number, number];
  /** A dashed horizontal reference line (e.g. 0 for differences), always in range. */
  yReference?: number;
  panels: ChartPanel[];
  columns?: number;
  panelWidth?: number;
  panelHeight?: number;
  /** 'light' (print) or 'dark' (the app's dark theme). */
  theme?: 'light' | 'dark';
}

const FONT = 'DejaVu Sans, Arial, sans-serif';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 1, 2 or 5 × 10^k steps giving about `count` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function yDomain(spec: ChartSpec): [number, number] {
  const [minBound, maxBound] = spec.yBounds ?? [-Infinity, Infinity];
  let lo = Infinity;
  let hi = -Infinity;
  for (const panel of spec.panels)
    for (const series of panel.series)
      for (const p of series.points) {
        lo = Math.min(lo, p.lo ?? p.y, p.y);
        hi = Math.max(hi, p.hi ?? p.y, p.y);
      }
  if (spec.yReference !== undefined) {
    lo = Math.min(lo, spec.yReference);
    hi = Math.max(hi, spec.yReference);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  lo = Math.max(minBound, lo - pad);
  hi = Math.min(maxBound, hi + pad);
  const ticks = niceTicks(lo, hi);
  // Snap to ticks outside the data, still inside the bounds.
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  return [Math.max(minBound, Math.floor(lo / step) * step), Math.min(maxBound, Math.ceil(hi / step) * step)];
}

/** Rough text width (DejaVu Sans averages ≈ 0.6 em); enough to lay out legends. */
const textWidth = (text: string, size: number) => text.length * size * 0.6;

/** One legend for all panels: each label once, in first-seen order, in rows that fit the width. */
function legendLayout(panels: readonly ChartPanel[], width: number): ChartSeries[][] {
  const legend = new Map<string, ChartSeries>();
  for (const panel of panels) for (const s of panel.series) if (!legend.has(s.label)) legend.set(s.label, s);
  const rows: ChartSeries[][] = [[]];
  let rowWidth = 0;
  for (const item of legend.values()) {
    const itemWidth = 34 + textWidth(item.label, 12) + 18;
    if (rowWidth + itemWidth > width - 40 && rows[rows.length - 1]!.length) {
      rows.push([]);
      rowWidth = 0;
    }
    rows[rows.length - 1]!.push(item);
    rowWidth += itemWidth;
  }
  return rows;
}

/** A line broken between words into lines of at most maxChars (a longer word stays whole). */
function wrapWords(line: string, maxChars: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && current.length + 1 + word.length > maxChars) {
      out.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) out.push(current);
  return out;
}

/** One series in a panel: a line across it, or whiskers, then its line, then its markers. */
function seriesSvg(
  s: ChartSeries,
  offset: number,
  panel: { left: number; width: number; sx(x: number): number; sy(y: number): number },
): string[] {
  const { left, sx, sy } = panel;
  const out: string[] = [];
  const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
  const points = [...s.points].sort((a, b) => a.x - b.x);
  if (s.across && points.length) {
    const y = sy(points[0]!.y).toFixed(1);
    return [
      `<line x1="${left}" y1="${y}" x2="${left + panel.width}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    ];
  }
  for (const p of points) {
    if (p.lo === undefined || p.hi === undefined) continue;
    const x = sx(p.x) + offset;
    out.push(
      `<line x1="${x}" y1="${sy(p.lo)}" x2="${x}" y2="${sy(p.hi)}" stroke="${s.color}" stroke-width="1.5" opacity="0.8"/>`,
      `<line x1="${x - 3}" y1="${sy(p.lo)}" x2="${x + 3}" y2="${sy(p.lo)}" stroke="${s.color}" stroke-width="1.5" opacity="0.8"/>`,
      `<line x1="${x - 3}" y1="${sy(p.hi)}" x2="${x + 3}" y2="${sy(p.hi)}" stroke="${s.color}" stroke-width="1.5" opacity="0.8"/>`,
    );
  }
  if (points.length > 1)
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points.map((p) => `${(sx(p.x) + offset).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`,
    );
  for (const p of points) out.push(markerSvg(s.marker, sx(p.x) + offset, sy(p.y), s.color, p.hollow, 3.2));
  return out;
}

export function chartSvg(spec: ChartSpec): string {
  const dark = spec.theme === 'dark';
  const ink = dark ? '#e6e6e6' : '#1a1a1a';
  const faint = dark ? '#3a3f47' : '#e2e2e2';
  const background = dark ? '#1e2227' : '#ffffff';
  const columns = Math.max(1, Math.min(spec.columns ?? spec.panels.length, spec.panels.length));
  const rows = Math.ceil(spec.panels.length / columns);
  const pw = spec.panelWidth ?? 360;
  const ph = spec.panelHeight ?? 250;
  const margin = { left: 64, right: 16, top: 28, bottom: 44 };
  const titleHeight = 40;
  const width = columns * (pw + margin.left + margin.right);
  const legendRows = legendLayout(spec.panels, width);
  const legendHeight = legendRows.length * 20 + 8;
  // Captions wrap at the figure's width (estimated glyph widths), so exports keep every word.
  const maxChars = Math.max(40, Math.floor((columns * (pw + margin.left + margin.right) - 24) / (11 * 0.6)));
  const caption = (spec.caption ?? []).flatMap((line) => wrapWords(line, maxChars));
  const plotsTop = titleHeight + legendHeight;
  const plotsHeight = rows * (ph + margin.top + margin.bottom);
  const height = plotsTop + plotsHeight + caption.length * 16 + (caption.length ? 12 : 0);
  const [y0, y1] = yDomain(spec);
  const xs = spec.xTicks;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const xPad = (x1 - x0) * 0.06 || 0.5;
  const xFormat = spec.xFormat ?? ((x: number) => String(x));
  const yFormat = spec.yFormat ?? ((y: number) => String(Number(y.toPrecision(4))));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="${background}"/>`,
    `<text x="${width / 2}" y="26" font-size="17" font-weight="bold" text-anchor="middle" fill="${ink}">${escapeXml(spec.title)}</text>`,
  );
  // Legend.
  for (const [r, items] of legendRows.entries()) {
    const total = items.reduce((sum, s) => sum + 34 + textWidth(s.label, 12) + 18, 0);
    let x = (width - total) / 2;
    const y = titleHeight + 10 + r * 20;
    for (const s of items) {
      out.push(
        `<line x1="${x}" y1="${y}" x2="${x + 26}" y2="${y}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
        markerSvg(s.marker, x + 13, y, s.color),
        `<text x="${x + 32}" y="${y + 4}" font-size="12" fill="${ink}">${escapeXml(s.label)}</text>`,
      );
      x += 34 + textWidth(s.label, 12) + 18;
    }
  }
  for (const [index, panel] of spec.panels.entries()) {
    const col = index % columns;
    const row = Math.floor(index / columns);
    const left = col * (pw + margin.left + margin.right) + margin.left;
    const top = plotsTop + row * (ph + margin.top + margin.bottom) + margin.top;
    const sx = (x: number) => left + ((x - (x0 - xPad)) / (x1 - x0 + 2 * xPad)) * pw;
    const sy = (y: number) => top + ph - ((Math.min(y1, Math.max(y0, y)) - y0) / (y1 - y0 || 1)) * ph;
    out.push(
      `<text x="${left + pw / 2}" y="${top - 10}" font-size="13" font-weight="bold" text-anchor="middle" fill="${ink}">${escapeXml(panel.title)}</text>`,
    );
    for (const t of niceTicks(y0, y1)) {
      out.push(
        `<line x1="${left}" y1="${sy(t)}" x2="${left + pw}" y2="${sy(t)}" stroke="${faint}" stroke-width="1"/>`,
        `<text x="${left - 6}" y="${sy(t) + 4}" font-size="11" text-anchor="end" fill="${ink}">${escapeXml(yFormat(t))}</text>`,
      );
    }
    for (const t of xs) {
      out.push(
        `<line x1="${sx(t)}" y1="${top + ph}" x2="${sx(t)}" y2="${top + ph + 4}" stroke="${ink}"/>`,
        `<text x="${sx(t)}" y="${top + ph + 17}" font-size="11" text-anchor="middle" fill="${ink}">${escapeXml(xFormat(t))}</text>`,
      );
    }
    if (spec.yReference !== undefined)
      out.push(
        `<line x1="${left}" y1="${sy(spec.yReference)}" x2="${left + pw}" y2="${sy(spec.yReference)}" stroke="${ink}" stroke-width="1" stroke-dasharray="4 3" opacity="0.7"/>`,
      );
    out.push(
      `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="${ink}" stroke-width="1"/>`,
      `<text x="${left + pw / 2}" y="${top + ph + 36}" font-size="12" text-anchor="middle" fill="${ink}">${escapeXml(spec.xLabel)}</text>`,
      `<text transform="translate(${left - 46} ${top + ph / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${ink}">${escapeXml(spec.yLabel)}</text>`,
    );
    // Series: whiskers, then the line, then markers; slight x offsets keep whiskers apart.
    const n = panel.series.length;
    for (const [k, s] of panel.series.entries()) {
      const offset =
        n > 1 ? ((k - (n - 1) / 2) / Math.max(1, n - 1)) * Math.min(14, pw / (xs.length * 4)) : 0;
      out.push(...seriesSvg(s, offset, { left, width: pw, sx, sy }));
    }
  }
  for (const [i, line] of caption.entries())
    out.push(
      `<text x="12" y="${plotsTop + plotsHeight + 14 + i * 16}" font-size="11" fill="${ink}">${escapeXml(line)}</text>`,
    );
  out.push('</svg>');
  return out.join('\n');
}
