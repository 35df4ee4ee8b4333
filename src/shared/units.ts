/** Engineering notation with SI prefixes: formatSI(1.34e-5, 'S') → "13.4 µS". */
const PREFIXES: Array<[number, string]> = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
  [1e-3, 'm'],
  [1e-6, 'µ'],
  [1e-9, 'n'],
  [1e-12, 'p'],
  [1e-15, 'f'],
];

/** Units that take SI prefixes (others, like "pp" or "%", are shown as plain numbers). */
export const SI_UNITS: ReadonlySet<string> = new Set(['V', 'A', 'S', 's', 'Hz', 'Ω', 'W', 'F']);
export const takesSiPrefix = (unit: string | undefined): boolean => unit !== undefined && SI_UNITS.has(unit);

export function formatSI(value: number | null | undefined, unit: string, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return `— ${unit}`;
  if (value === 0) return `0 ${unit}`;
  const magnitude = Math.abs(value);
  const [scale, prefix] = PREFIXES.find(([s]) => magnitude >= s * 0.9995) ?? PREFIXES[PREFIXES.length - 1]!;
  return `${Number((value / scale).toPrecision(digits))} ${prefix}${unit}`;
}

/**
 * A plain number with `digits` significant digits and no binary-fraction noise (3.0500000000000003
 * → "3.05"); very large or small magnitudes in exponent form.
 */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e6) return String(Number(value.toPrecision(digits)));
  return value.toExponential(Math.max(0, digits - 1));
}

/** A difference of two fractions in percentage points, signed: 0.0123 → "+1.23 pp" ("+1.23" unitless). */
export function formatPercentPoints(
  difference: number,
  options: { decimals?: number; unit?: boolean } = {},
): string {
  const text = (100 * Math.abs(difference)).toFixed(options.decimals ?? 2);
  const sign = Number(text) === 0 ? '±' : difference > 0 ? '+' : '−';
  return `${sign}${text}${options.unit === false ? '' : ' pp'}`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

const PREFIX_EXPONENT: Record<string, number> = {
  f: -15,
  p: -12,
  n: -9,
  u: -6,
  µ: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
};

/** Seconds in the time units a duration may carry ("10 min", "1h", "1d", "2w", "1y" of 365.25 d). */
const TIME_UNITS: Record<string, number> = { min: 60, h: 3600, d: 86_400, w: 604_800, y: 31_557_600 };

/**
 * Parses a number typed by a person: plain ("0.001", "1e-3") or with an SI prefix and an
 * optional unit ("1m", "100 µA", "1.5 V"). A time in seconds also takes min, h, d, w and y
 * ("1h", "1 d"; "10m" stays 10 milliseconds). Returns NaN when it is not a number.
 */
export function parseSI(text: string, unit = ''): number {
  if (unit === 's') {
    const time = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(min|h|d|w|y)$/.exec(text.trim());
    if (time) return Number(time[1]) * TIME_UNITS[time[2]!]!;
  }
  let t = text.trim();
  if (unit && t.endsWith(unit)) t = t.slice(0, -unit.length).trim();
  if (t === '') return Number.NaN;
  const plain = Number(t);
  if (Number.isFinite(plain)) return plain;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([fpnuµmkMG])$/.exec(t);
  if (!match) return Number.NaN;
  const [, mantissa, prefix] = match as unknown as [string, string, string];
  // Through the exponent, not a multiplication: "100u" is exactly 1e-4, not 9.999999999999999e-5.
  return /[eE]/.test(mantissa)
    ? Number(mantissa) * 10 ** PREFIX_EXPONENT[prefix]!
    : Number(`${mantissa}e${PREFIX_EXPONENT[prefix]}`);
}
