/**
 * The measurement aggregate: instruments, samples, runs and their points, and the crash
 * recovery of runs a dead process left 'running'.
 */
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { ReramError } from '../../shared/errors';
import {
  RunQuery,
  type RunTrace,
  type InstrumentIdentity,
  type Point,
  type ProcedureName,
  type RunStatus,
  type RunSummary,
} from '../../shared/run';
import { ownerGone } from './owner';
import { computeTrace } from './run-trace';
import { rawSql, sql, sqlJoin, type SqlFragment } from './sql';

export interface NewRun {
  procedure: ProcedureName;
  params: Record<string, unknown>;
  settings?: Record<string, unknown>;
  instrument?: InstrumentIdentity | null;
  resource?: string | null;
  cell?: number | null;
  sample?: { wafer?: string; chip?: string; die?: string; cell?: string };
  softwareVersion: string;
}

interface RunRow {
  id: number;
  procedure: ProcedureName;
  params_json: string;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  instrument: string | null;
  resource: string | null;
  cell: number | null;
  point_count: number;
  error: string | null;
  software_version: string;
  settings_json: string;
  summary_json: string | null;
  hidden: number;
}

interface PointRow {
  seq: number;
  t: number;
  v_source: number;
  v: number | null;
  i: number | null;
  g: number | null;
  pulse: number;
  phase: Point['phase'];
  kind: Point['kind'];
  cell: number;
  cycle: number;
  compliance: number;
  flags: number;
  width: number | null;
  target: number | null;
}

const RUN_SELECT = `
  SELECT runs.id, procedure, params_json, settings_json, status, started_at, ended_at, resource, cell, point_count, error, summary_json, hidden,
         software_version, CASE WHEN instruments.id IS NULL THEN NULL ELSE instruments.make || ' ' || instruments.model || ' #' || instruments.serial END AS instrument
  FROM runs LEFT JOIN instruments ON instruments.id = runs.instrument_id`;

function toSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    procedure: row.procedure,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    instrument: row.instrument,
    resource: row.resource,
    cell: row.cell,
    pointCount: row.point_count,
    error: row.error,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    summary: row.summary_json ? (JSON.parse(row.summary_json) as Record<string, unknown>) : null,
    hidden: row.hidden === 1,
    softwareVersion: row.software_version,
  };
}

function toPoint(row: PointRow): Point {
  const { v_source: vSource, ...rest } = row;
  return { ...rest, vSource, compliance: row.compliance !== 0 };
}

export const POINT_INSERT =
  'INSERT INTO points (run_id, seq, t, v_source, v, i, g, pulse, phase, kind, cell, cycle, compliance, flags, width, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** The connection the run writer commits through, with its prepared statements. */
export interface PointConnection {
  db: Database.Database;
  insert: Database.Statement;
  count: Database.Statement;
}

export class RunRepository {
  private readonly insertPoint: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly pid: number,
    /** The writer's own connection (short busy timeout), opened on first use by the Store. */
    private readonly writer: () => PointConnection,
  ) {
    this.insertPoint = db.prepare(POINT_INSERT);
  }

  markInterruptedRuns(): number[] {
    const running = this.db
      .prepare("SELECT id, owner_pid, owner_host FROM runs WHERE status = 'running'")
      .all() as Array<{ id: number; owner_pid: number | null; owner_host: string | null }>;
    // No owner recorded: the run predates schema 3, and no older writer can open this file any more.
    const dead = running.filter((run) => ownerGone({ pid: run.owner_pid, host: run.owner_host }, this.pid));
    const update = this.db.prepare(
      "UPDATE runs SET status = 'interrupted', ended_at = ?, error = coalesce(error, 'The process recording this run stopped unexpectedly.') WHERE id = ?",
    );
    const now = new Date().toISOString();
    this.db.transaction(() => dead.forEach((run) => update.run(now, run.id)))();
    return dead.map((run) => run.id);
  }

  upsertInstrument(identity: InstrumentIdentity): number {
    this.db
      .prepare(
        'INSERT INTO instruments (make, model, serial, firmware, idn) VALUES (?, ?, ?, ?, ?) ON CONFLICT (make, model, serial) DO UPDATE SET firmware = excluded.firmware, idn = excluded.idn',
      )
      .run(identity.make, identity.model, identity.serial, identity.firmware, identity.raw);
    return (
      this.db
        .prepare('SELECT id FROM instruments WHERE make = ? AND model = ? AND serial = ?')
        .get(identity.make, identity.model, identity.serial) as { id: number }
    ).id;
  }

  private upsertSample(sample: NonNullable<NewRun['sample']>): number {
    const values = [sample.wafer ?? '', sample.chip ?? '', sample.die ?? '', sample.cell ?? ''];
    this.db
      .prepare('INSERT INTO samples (wafer, chip, die, cell) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(...values);
    return (
      this.db
        .prepare('SELECT id FROM samples WHERE wafer = ? AND chip = ? AND die = ? AND cell = ?')
        .get(...values) as { id: number }
    ).id;
  }

  createRun(run: NewRun): number {
    const instrumentId = run.instrument ? this.upsertInstrument(run.instrument) : null;
    const sampleId = run.sample ? this.upsertSample(run.sample) : null;
    const result = this.db
      .prepare(
        `INSERT INTO runs (procedure, params_json, settings_json, status, started_at, instrument_id, resource, sample_id, cell, software_version, owner_pid, owner_host)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.procedure,
        JSON.stringify(run.params),
        JSON.stringify(run.settings ?? {}),
        new Date().toISOString(),
        instrumentId,
        run.resource ?? null,
        sampleId,
        run.cell ?? null,
        run.softwareVersion,
        this.pid,
        hostname(),
      );
    return Number(result.lastInsertRowid);
  }

  /** Inserts a batch of points in one transaction. */
  appendPoints(runId: number, points: readonly Point[], options: { writer?: boolean } = {}): void {
    if (points.length === 0) return;
    const connection = options.writer
      ? this.writer()
      : {
          db: this.db,
          insert: this.insertPoint,
          count: this.db.prepare('UPDATE runs SET point_count = point_count + ? WHERE id = ?'),
        };
    const insert = connection.insert;
    connection.db.transaction(() => {
      for (const p of points) {
        insert.run(
          runId,
          p.seq,
          p.t,
          p.vSource,
          p.v,
          p.i,
          p.g,
          p.pulse,
          p.phase,
          p.kind,
          p.cell,
          p.cycle,
          p.compliance ? 1 : 0,
          p.flags,
          p.width,
          p.target,
        );
      }
      connection.count.run(points.length, runId);
    })();
  }

  finishRun(runId: number, status: Exclude<RunStatus, 'running'>, error?: string): void {
    this.db
      .prepare('UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE id = ?')
      .run(status, new Date().toISOString(), error ?? null, runId);
  }

  setRunSettings(runId: number, settings: Record<string, unknown>): void {
    this.db.prepare('UPDATE runs SET settings_json = ? WHERE id = ?').run(JSON.stringify(settings), runId);
  }

  getRun(runId: number): RunSummary {
    const row = this.db.prepare(`${RUN_SELECT} WHERE runs.id = ?`).get(runId) as RunRow | undefined;
    if (!row) throw new ReramError('NOT_FOUND', `Run ${runId} does not exist in ${this.path}.`);
    return toSummary(row);
  }

  /** The sample (wafer and die) a run was recorded on, or null for a run without one. */
  runSample(runId: number): { wafer: string; die: string } | null {
    const row = this.db
      .prepare(
        'SELECT samples.wafer, samples.die FROM runs JOIN samples ON samples.id = runs.sample_id WHERE runs.id = ?',
      )
      .get(runId) as { wafer: string; die: string } | undefined;
    return row ?? null;
  }

  runSettings(runId: number): Record<string, unknown> {
    const row = this.db.prepare('SELECT settings_json FROM runs WHERE id = ?').get(runId) as
      { settings_json: string } | undefined;
    if (!row) throw new ReramError('NOT_FOUND', `Run ${runId} does not exist.`);
    return JSON.parse(row.settings_json) as Record<string, unknown>;
  }

  listRuns(limit = 200): RunSummary[] {
    return this.queryRuns({ limit }).runs;
  }

  /** Runs for the browser: filtered, newest first, with the total that match. */
  queryRuns(query: RunQuery): { runs: RunSummary[]; total: number } {
    const q = RunQuery.parse(query);
    const conditions: SqlFragment[] = [];
    if (!q.includeHidden) conditions.push(sql`runs.hidden = 0`);
    if (q.procedure) conditions.push(sql`runs.procedure = ${q.procedure}`);
    if (q.status) conditions.push(sql`runs.status = ${q.status}`);
    if (q.cell !== undefined) conditions.push(sql`runs.cell = ${q.cell}`);
    if (q.cells) conditions.push(sql`runs.cell IN (SELECT value FROM json_each(${JSON.stringify(q.cells)}))`);
    if (q.search?.trim()) {
      // What the list shows is searchable too: the outcome (forming voltage, errors) with the parameters.
      const pattern = `%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(
        sql`(runs.procedure || ' ' || runs.status || ' cell ' || coalesce(runs.cell, '') || ' ' || coalesce(runs.resource, '') || ' ' || coalesce(instruments.model, '') || ' ' || runs.params_json || ' ' || coalesce(runs.summary_json, '') || ' ' || coalesce(runs.error, '') || ' #' || runs.id) LIKE ${pattern} ESCAPE '\\'`,
      );
    }
    const where = conditions.length ? sql` WHERE ${sqlJoin(conditions, ' AND ')}` : sql``;
    const count = sql`SELECT count(*) AS n FROM runs LEFT JOIN instruments ON instruments.id = runs.instrument_id${where}`;
    const total = (this.db.prepare(count.text).get(...count.values) as { n: number }).n;
    const page = sql`${rawSql(RUN_SELECT)}${where} ORDER BY runs.id DESC LIMIT ${q.limit} OFFSET ${q.offset}`;
    const runs = (this.db.prepare(page.text).all(...page.values) as RunRow[]).map(toSummary);
    return { runs, total };
  }

  /** A run reduced for drawing (see RunTrace): a fixed cost per run, whatever its length. */
  runTrace(runId: number, maxReads = 4000, maxIv = 20_000): RunTrace {
    const run = this.getRun(runId);
    // A finished run's trace is computed once and kept (a million points take a scan).
    const cached = this.db
      .prepare('SELECT point_count, trace_json FROM run_traces WHERE run_id = ?')
      .get(runId) as { point_count: number; trace_json: string } | undefined;
    if (cached && cached.point_count === run.pointCount) return JSON.parse(cached.trace_json) as RunTrace;
    const trace = computeTrace(this.db, runId, run.pointCount, maxReads, maxIv);
    if (run.status !== 'running' && run.pointCount > maxReads)
      this.db
        .prepare(
          'INSERT INTO run_traces (run_id, point_count, trace_json) VALUES (?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET point_count = excluded.point_count, trace_json = excluded.trace_json',
        )
        .run(runId, run.pointCount, JSON.stringify(trace));
    return trace;
  }

  setRunSummary(runId: number, summary: Record<string, unknown>): void {
    this.db.prepare('UPDATE runs SET summary_json = ? WHERE id = ?').run(JSON.stringify(summary), runId);
  }

  setRunsHidden(runIds: readonly number[], hidden: boolean): void {
    const update = this.db.prepare('UPDATE runs SET hidden = ? WHERE id = ?');
    this.db.transaction(() => runIds.forEach((id) => update.run(hidden ? 1 : 0, id)))();
  }

  getPoints(runId: number, options: { afterSeq?: number; limit?: number } = {}): Point[] {
    const rows = this.db
      .prepare(
        'SELECT seq, t, v_source, v, i, g, pulse, phase, kind, cell, cycle, compliance, flags, width, target FROM points WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      )
      .all(runId, options.afterSeq ?? -1, options.limit ?? -1) as PointRow[];
    return rows.map(toPoint);
  }

  deleteRun(runId: number): void {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
  }

  /** Points of a run as a stream of pages (exports of million-point runs without one big array). */
  *iteratePoints(runId: number, pageSize = 50_000): Generator<Point[]> {
    let after = -1;
    for (;;) {
      const page = this.getPoints(runId, { afterSeq: after, limit: pageSize });
      if (!page.length) return;
      yield page;
      after = page[page.length - 1]!.seq;
    }
  }
}
