/** Benchmarks report ratios against a reference measured in the same run, not absolute timings. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function report(
  title: string,
  rows: Array<[string, string]>,
  verdict?: { ratio: number; target: string; pass: boolean },
): void {
  console.log(`\n== ${title}`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
  if (verdict)
    console.log(
      `  ${'ratio'.padEnd(width)}  ${verdict.ratio.toFixed(3)}  (target ${verdict.target}: ${verdict.pass ? 'met' : 'NOT met'})`,
    );
}

export function fmt(n: number, digits = 3): string {
  return Number(n.toPrecision(digits)).toLocaleString('en-US');
}
