/** Sweep results: each grid point's prediction, stored as it finishes (what makes a sweep resumable). */
import type { Database } from 'better-sqlite3';

export class SweepRepository {
  constructor(private readonly db: Database) {}

  save(sweep: string, pointKey: string, point: unknown, report: unknown, finishedAt: string): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO sweeps (sweep, point_key, point_json, report_json, finished_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(sweep, pointKey, JSON.stringify(point), JSON.stringify(report), finishedAt);
  }

  results(sweep: string): Array<{ pointKey: string; point: unknown; report: unknown; finishedAt: string }> {
    return (
      this.db
        .prepare(
          'SELECT point_key, point_json, report_json, finished_at FROM sweeps WHERE sweep = ? ORDER BY rowid',
        )
        .all(sweep) as Array<{
        point_key: string;
        point_json: string;
        report_json: string;
        finished_at: string;
      }>
    ).map((row) => ({
      pointKey: row.point_key,
      point: JSON.parse(row.point_json) as unknown,
      report: JSON.parse(row.report_json) as unknown,
      finishedAt: row.finished_at,
    }));
  }
}
