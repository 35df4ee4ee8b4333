import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
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
import { appRoot } from '../paths';
import { migrate } from './migrations';
import { ownerGone } from './owner';
import { PredictionRepository } from './predictions';
import { ProfileRepository } from './profiles';
import { CellRepository } from './cells';
import { QueueRepository } from './queues';
import { SettingsRepository } from './settings';
import { SweepRepository } from './sweeps';

export interface StoreOptions {
  /** Test hook: pretend the store was opened by this process id. */
  pid?: number;
}

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

/** Refuses paths that would silently become a temporary database or cannot be one. */
function checkDatabasePath(path: string): void {
  if (path === ':memory:') return;
  if (path.trim() === '')
    throw new ReramError(
      'INVALID_INPUT',
      'The database path is empty (an empty --db would be a throw-away database).',
    );
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return; // a new database
  }
  if (stat.isDirectory())
    throw new ReramError(
      'INVALID_INPUT',
      `${path} is a directory; give the database file's path (e.g. ${join(path, 'reram-bench.db')}).`,
    );
}

/** better-sqlite3 is not an N-API module: inside Electron, load the copy built for Electron's ABI. */
function nativeBinding(): string | undefined {
  if (!process.versions.electron) return undefined;
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  const candidates = [
    resourcesPath ? join(resourcesPath, 'native', 'better_sqlite3.node') : undefined,
    join(appRoot(), '.cache', 'electron-native', 'better_sqlite3.node'),
  ];
  return candidates.find((path) => path && existsSync(path));
}

export const DEFAULT_BATCH_SIZE = 4096;

const POINT_INSERT =
  'INSERT INTO points (run_id, seq, t, v_source, v, i, g, pulse, phase, kind, cell, cycle, compliance, flags, width, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * The measurement store: one SQLite file (WAL, foreign keys on). Store itself holds the
 * measurement aggregate (instruments, samples, runs and their points) and crash recovery; the
 * other aggregates have their repositories (profiles, predictions, queues, sweeps, settings).
 */
export class Store {
  readonly db: Database.Database;
  /** Stored predictions (their own table and repository). */
  predictions!: PredictionRepository;
  /** Recipes and queues. */
  queues!: QueueRepository;
  /** Device profiles. */
  profiles!: ProfileRepository;
  /** Sweep results. */
  sweeps!: SweepRepository;
  /** App settings. */
  settings!: SettingsRepository;
  /** What the runs say about each cell (formed or pristine), per sample. */
  cells!: CellRepository;
  readonly path: string;
  private readonly pid: number;
  private readonly insertPoint: Database.Statement;
  private writerConnection:
    { db: Database.Database; insert: Database.Statement; count: Database.Statement } | undefined;
  /** Runs found abandoned by a crashed process when this store was opened (now 'interrupted'). */
  readonly interruptedAtOpen: number[];

  constructor(path: string, options: StoreOptions = {}) {
    this.path = path;
    this.pid = options.pid ?? process.pid;
    checkDatabasePath(path);
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      const binding = nativeBinding();
      this.db = new Database(path, binding ? { nativeBinding: binding } : {});
    } catch (error) {
      throw new ReramError('INVALID_INPUT', `Cannot open the database ${path}: ${(error as Error).message}`);
    }
    try {
      // First, so that two processes opening a new database together wait for each other.
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('journal_mode = WAL');
      // NORMAL is durable against process crashes in WAL mode; FULL also survives power loss, at one
      // fsync per commit — worth it for measurements that cannot be repeated.
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
      this.predictions = new PredictionRepository(this.db, this.pid);
      this.queues = new QueueRepository(this.db, this.pid);
      this.profiles = new ProfileRepository(this.db);
      this.sweeps = new SweepRepository(this.db);
      this.settings = new SettingsRepository(this.db);
      this.cells = new CellRepository(this.db);
    } catch (error) {
      this.db.close();
      if (error instanceof ReramError) throw error;
      const code = (error as { code?: string }).code;
      throw new ReramError(
        'INVALID_INPUT',
        code === 'SQLITE_NOTADB'
          ? `${path} is not a ReRAM Bench database (not an SQLite file).`
          : `Cannot use the database ${path}: ${(error as Error).message}`,
      );
    }
    this.insertPoint = this.db.prepare(POINT_INSERT);
    this.interruptedAtOpen = this.markInterruptedRuns();
  }

  close(): void {
    if (this.writerConnection && this.writerConnection.db !== this.db && this.writerConnection.db.open)
      this.writerConnection.db.close();
    this.writerConnection = undefined;
    if (this.db.open) this.db.close();
  }

  /** Runs left 'running' by a process that no longer exists on this host become 'interrupted'; their points stay. */
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

  /**
   * The connection point commits go through: a short busy timeout, so a lock held elsewhere
   * makes the commit fail fast (and be retried later) instead of stalling the instrument loop.
   */
  private writer(): { db: Database.Database; insert: Database.Statement; count: Database.Statement } {
    if (!this.writerConnection) {
      const db =
        this.path === ':memory:'
          ? this.db
          : new Database(this.path, nativeBinding() ? { nativeBinding: nativeBinding()! } : {});
      if (db !== this.db) {
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        db.pragma('busy_timeout = 25');
      }
      this.writerConnection = {
        db,
        insert: db.prepare(POINT_INSERT),
        count: db.prepare('UPDATE runs SET point_count = point_count + ? WHERE id = ?'),
      };
    }
    return this.writerConnection;
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
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (!q.includeHidden) where.push('runs.hidden = 0');
    if (q.procedure) {
      where.push('runs.procedure = ?');
      args.push(q.procedure);
    }
    if (q.status) {
      where.push('runs.status = ?');
      args.push(q.status);
    }
    if (q.cell !== undefined) {
      where.push('runs.cell = ?');
      args.push(q.cell);
    }
    if (q.cells) {
      where.push('runs.cell IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(q.cells));
    }
    if (q.search?.trim()) {
      // What the list shows is searchable too: the outcome (forming voltage, errors) with the parameters.
      where.push(
        "(runs.procedure || ' ' || runs.status || ' cell ' || coalesce(runs.cell, '') || ' ' || coalesce(runs.resource, '') || ' ' || coalesce(instruments.model, '') || ' ' || runs.params_json || ' ' || coalesce(runs.summary_json, '') || ' ' || coalesce(runs.error, '') || ' #' || runs.id) LIKE ? ESCAPE '\\'",
      );
      args.push(`%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db
        .prepare(
          `SELECT count(*) AS n FROM runs LEFT JOIN instruments ON instruments.id = runs.instrument_id${clause}`,
        )
        .get(...args) as { n: number }
    ).n;
    const runs = (
      this.db
        .prepare(`${RUN_SELECT}${clause} ORDER BY runs.id DESC LIMIT ? OFFSET ?`)
        .all(...args, q.limit, q.offset) as RunRow[]
    ).map(toSummary);
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
    const trace = this.computeTrace(runId, run.pointCount, maxReads, maxIv);
    if (run.status !== 'running' && run.pointCount > maxReads)
      this.db
        .prepare(
          'INSERT INTO run_traces (run_id, point_count, trace_json) VALUES (?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET point_count = excluded.point_count, trace_json = excluded.trace_json',
        )
        .run(runId, run.pointCount, JSON.stringify(trace));
    return trace;
  }

  private computeTrace(runId: number, total: number, maxReads: number, maxIv: number): RunTrace {
    // One pass over a long run at most: the counts come from the run row, not from the points.
    const readCount =
      total <= maxReads
        ? (
            this.db
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
      const rows = this.db
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
      const rows = this.db
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
    const ivRows = this.db
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

/**
 * Commits streamed points as they arrive: every point handed over in one turn of the event loop
 * is committed together right after that turn (group commit), so a crash loses at most the
 * points still in flight, and a burst (a list sweep's readings) costs one transaction.
 *
 * If another program holds the database's write lock, points are kept in memory (bounded) and
 * the commit is retried with backoff; nothing is lost while this process lives, and no error
 * escapes from a timer.
 */
export class RunWriter {
  private buffer: Point[] = [];
  private scheduled = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private closed = false;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  /** Points committed so far. */
  written = 0;

  constructor(
    private readonly store: Store,
    readonly runId: number,
    private readonly options: {
      /** Most points in one transaction (also the synchronous flush threshold). */
      batchSize?: number;
      /** Points held in memory while the database is locked before the run must stop. */
      maxBuffered?: number;
      onFlush?: (written: number) => void;
      /** The database could not take the points yet (locked, disk full): they are kept and retried. */
      onDelay?: (message: string, held: number) => void;
    } = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxBuffered = options.maxBuffered ?? 2_000_000;
  }

  get pending(): number {
    return this.buffer.length;
  }

  add(point: Point): void {
    if (this.closed) throw new ReramError('INTERNAL', `Run ${this.runId} is already finished.`);
    if (this.buffer.length >= this.maxBuffered)
      throw new ReramError(
        'INTERNAL',
        `The database has not accepted points for too long (${this.buffer.length} held in memory): another program holds it locked, or the disk is full. Stopping the run; the held points are still being retried.`,
      );
    this.buffer.push(point);
    if (this.buffer.length >= this.batchSize && !this.retryTimer) this.tryFlush();
    else this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tryFlush();
    });
  }

  /** Commits what is buffered; on failure keeps it and retries later. Never throws. */
  private tryFlush(): boolean {
    try {
      this.commit();
      this.failures = 0;
      return true;
    } catch (error) {
      this.failures++;
      const delay = Math.min(1000, 10 * 2 ** Math.min(this.failures, 7));
      if (this.failures === 1 || this.failures % 20 === 0)
        this.options.onDelay?.(
          `${describeStoreError(error)}; ${this.buffer.length} points held, retrying`,
          this.buffer.length,
        );
      if (!this.retryTimer && !this.closed) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (this.tryFlush() && this.buffer.length > 0) this.schedule();
        }, delay);
        this.retryTimer.unref?.();
      }
      return false;
    }
  }

  private commit(): void {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.batchSize);
      this.store.appendPoints(this.runId, batch, { writer: true });
      this.buffer.splice(0, batch.length);
      this.written += batch.length;
      this.options.onFlush?.(this.written);
    }
  }

  /** Commits everything still held (retrying while the database is locked, up to `timeoutMs`), then closes the run. */
  async finish(status: Exclude<RunStatus, 'running'>, error?: string, timeoutMs = 60_000): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        this.commit();
        this.store.finishRun(this.runId, status, error);
        return;
      } catch (failure) {
        if (Date.now() > deadline)
          throw new ReramError(
            'INTERNAL',
            `Could not store the last ${this.buffer.length} points of run ${this.runId}: ${describeStoreError(failure)}.`,
          );
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 10 * 2 ** Math.min(attempt, 7))));
      }
    }
  }
}

function describeStoreError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'the database is locked by another program';
  if (code === 'SQLITE_FULL') return 'the disk is full';
  return (error as Error).message;
}
