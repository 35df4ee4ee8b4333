import { pointFlagNames, type Point } from '../../shared/run';

export const POINTS_CSV_HEADER =
  'seq,t_s,v_source_volts,v_volts,i_amps,g_siemens,pulse,phase,kind,cell,cycle,compliance,flags,width_s,target';

/** Raw points as CSV, SI units in the header, one row per point; empty cells are not readings. */
export function pointsToCsv(points: readonly Point[]): string {
  const rows = points.map((p) =>
    [
      p.seq,
      p.t,
      p.vSource,
      p.v ?? '',
      p.i ?? '',
      p.g ?? '',
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
