import type { Point } from '../../src/shared/run';

export function makePoint(partial: Partial<Point> & Pick<Point, 'seq'>): Point {
  return {
    t: partial.seq * 0.01,
    vSource: partial.v ?? 0.1,
    v: 0.1,
    i: 1e-6,
    g: 1e-5,
    pulse: 0,
    phase: 'read',
    kind: 'read',
    cell: 0,
    cycle: 0,
    compliance: false,
    flags: 0,
    width: null,
    target: null,
    ...partial,
  };
}
