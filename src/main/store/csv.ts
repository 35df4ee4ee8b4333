import { pointFlagNames, type Point, type RunSummary } from '../../shared/run';

export const POINTS_CSV_HEADER =
  'seq,t_s,v_source_volts,v_volts,i_amps,g_siemens,pulse,phase,kind,cell,cycle,compliance,flags,width_s,target';

/** Raw points as CSV, SI units in the header, one row per point; empty cells are not readings. */
export function pointsToCsv(points: readonly Point[]): string {
  const rows = points.map((p) =>
    [
      p.seq,
      Number(p.t.toFixed(6)),
      p.vSource,
      p.v ?? '',
      p.i ?? '',
      // G = I/V carries the digits of its readings (7 significant), not a division's 17.
      p.g === null ? '' : Number(p.g.toPrecision(7)),
      p.pulse,
      p.phase,
      p.kind,
      p.cell,
      p.cycle,
      p.compliance ? 1 : 0,
      pointFlagNames(p.flags).join('|'),
      p.width ?? '',
      p.target ?? '',
    ].join(','),
  );
  return `${POINTS_CSV_HEADER}\n${rows.join('\n')}${rows.length ? '\n' : ''}`;
}

/**
 * A run as one self-describing CSV: `#` lines with the run, its parameters and the instrument
 * settings (JSON), then the points. Spreadsheets skip the block with "comment character #".
 */
export function runToCsv(
  run: RunSummary,
  settings: Record<string, unknown>,
  pages: Iterable<readonly Point[]>,
): string {
  const header = [
    `# ReRAM Bench run ${run.id}: ${run.procedure}, ${run.status}, ${run.pointCount} points`,
    `# started ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ''}; cell ${run.cell ?? '—'}; instrument ${run.instrument ?? '—'} at ${run.resource ?? '—'}; ReRAM Bench ${run.softwareVersion}`,
    `# parameters: ${JSON.stringify(run.params)}`,
    `# instrument settings: ${JSON.stringify(settings)}`,
    ...(run.summary ? [`# outcome: ${JSON.stringify(run.summary)}`] : []),
    ...(run.error ? [`# error: ${run.error.replace(/\n/g, ' ')}`] : []),
  ];
  const parts = [`${header.join('\n')}\n${POINTS_CSV_HEADER}\n`];
  for (const page of pages) {
    const body = pointsToCsv(page);
    parts.push(body.slice(body.indexOf('\n') + 1));
  }
  return parts.join('');
}

export function runCsvName(run: RunSummary): string {
  return `run-${run.id}-${run.procedure}${run.cell !== null ? `-cell${run.cell}` : ''}-${run.startedAt.slice(0, 16).replace(/[:T]/g, '')}.csv`;
}
