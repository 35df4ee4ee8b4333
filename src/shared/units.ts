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

export function formatSI(value: number | null | undefined, unit: string, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return `— ${unit}`;
  if (value === 0) return `0 ${unit}`;
  const magnitude = Math.abs(value);
  const [scale, prefix] = PREFIXES.find(([s]) => magnitude >= s * 0.9995) ?? PREFIXES[PREFIXES.length - 1]!;
  return `${Number((value / scale).toPrecision(digits))} ${prefix}${unit}`;
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

/**
 * Parses a number typed by a person: plain ("0.001", "1e-3") or with an SI prefix and an
 * optional unit ("1m", "100 µA", "1.5 V"). Returns NaN when it is not a number.
 */
export function parseSI(text: string, unit = ''): number {
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
