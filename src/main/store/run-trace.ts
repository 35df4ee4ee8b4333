/**
 * A run reduced for drawing (RunTrace): at most maxReads conductance reads (above that, each
 * bucket of seq keeps its lowest and highest read per phase, so spikes survive) and every
 * stride-th I–V point, found by key rather than by a scan. A fixed cost per run, whatever its length.
 */
import type Database from 'better-sqlite3';
import type { RunTrace } from '../../shared/run';

export function computeTrace(
  db: Database.Database,
  runId: number,
  total: number,
  maxReads: number,
  maxIv: number,
): RunTrace {
  // One pass over a long run at most: the counts come from the run row, not from the points.
  const readCount =
    total <= maxReads
      ? (
          db
            .prepare(
              "SELECT count(*) AS n FROM points WHERE run_id = ? AND kind IN ('read', 'final') AND g IS NOT NULL",
            )
            .get(runId) as { n: number }
        ).n
      : Infinity;
  const reads: RunTrace['reads'] = {
    seq: [],
    g: [],
    phase: [],
    cycle: [],
    pulse: [],
    decimated: readCount > maxReads,
  };
  if (readCount <= maxReads) {
    const rows = db
      .prepare(
        "SELECT seq, g, phase, cycle, pulse FROM points WHERE run_id = ? AND kind IN ('read', 'final') AND g IS NOT NULL ORDER BY seq",
      )
      .raw()
      .all(runId) as Array<[number, number, string, number, number]>;
    for (const [seq, g, phase, cycle, pulse] of rows) {
      reads.seq.push(seq);
      reads.g.push(g);
      reads.phase.push(phase);
      reads.cycle.push(cycle);
      reads.pulse.push(pulse);
    }
  } else {
    // Each bucket of seq keeps its lowest and highest read per phase.
    const size = Math.ceil(total / (maxReads / 2));
    const rows = db
      .prepare(
        "SELECT seq / CAST(? AS INTEGER) AS bucket, phase, min(g), max(g), min(seq), max(seq), min(cycle), min(pulse) FROM points WHERE run_id = ? AND kind IN ('read', 'final') AND g IS NOT NULL GROUP BY bucket, phase ORDER BY bucket",
      )
      .raw()
      .all(size, runId) as Array<[number, string, number, number, number, number, number, number]>;
    for (const [, phase, lo, hi, first, last, cycle, pulse] of rows) {
      reads.seq.push(first, last);
      reads.g.push(lo, hi);
      reads.phase.push(phase, phase);
      reads.cycle.push(cycle, cycle);
      reads.pulse.push(pulse, pulse);
    }
  }
  const stride = Math.max(1, Math.ceil(total / maxIv));
  // Every stride-th point by its key (an index lookup each), not a scan of the whole run.
  const ivRows = db
    .prepare(
      `WITH RECURSIVE picks(seq) AS (SELECT 0 UNION ALL SELECT seq + ? FROM picks WHERE seq + ? < ?)
       SELECT v, i, phase FROM picks JOIN points ON points.run_id = ? AND points.seq = picks.seq
       WHERE v IS NOT NULL AND i IS NOT NULL ORDER BY picks.seq`,
    )
    .raw()
    .all(stride, stride, Math.max(1, total), runId) as Array<[number, number, string]>;
  const iv: RunTrace['iv'] = { v: [], i: [], phase: [], decimated: stride > 1 };
  for (const [v, i, phase] of ivRows) {
    iv.v.push(v);
    iv.i.push(i);
    iv.phase.push(phase);
  }
  return { total, reads, iv };
}
