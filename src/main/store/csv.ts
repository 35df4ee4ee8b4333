import type { Point } from '../../shared/run';

export const POINTS_CSV_HEADER =
  'seq,t_s,v_volts,i_amps,g_siemens,pulse,phase,kind,cell,cycle,compliance,target';

/** Raw points as CSV, SI units in the header, one row per point. */
export function pointsToCsv(points: readonly Point[]): string {
  const rows = points.map((p) =>
    [
      p.seq,
      p.t,
      p.v,
      p.i,
      p.g ?? '',
      p.pulse,
      p.phase,
      p.kind,
      p.cell,
      p.cycle,
      p.compliance ? 1 : 0,
      p.target ?? '',
    ].join(','),
  );
  return `${POINTS_CSV_HEADER}\n${rows.join('\n')}${rows.length ? '\n' : ''}`;
}
