import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ReramError } from '../../shared/errors';
import { appRoot } from '../paths';
import { migrate } from './migrations';
import { PredictionRepository } from './predictions';
import { ProfileRepository } from './profiles';
import { CellRepository } from './cells';
import { QueueRepository } from './queues';
import { POINT_INSERT, RunRepository, type PointConnection } from './runs';
import { SettingsRepository } from './settings';
import { SweepRepository } from './sweeps';

export interface StoreOptions {
  /** Test hook: pretend the store was opened by this process id. */
  pid?: number;
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

/**
 * The database: one SQLite file (WAL, foreign keys on, FULL sync). Store opens and migrates it,
 * recovers runs a crashed process left behind, and composes the repositories, one per aggregate
 * (runs, profiles, predictions, queues, sweeps, settings, cells).
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
  /** Instruments, samples, runs and their points. */
  runs!: RunRepository;
  /** App settings. */
  settings!: SettingsRepository;
  /** What the runs say about each cell (formed or pristine), per sample. */
  cells!: CellRepository;
  readonly path: string;
  private readonly pid: number;
  private writerConnection: PointConnection | undefined;
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
      this.runs = new RunRepository(this.db, path, this.pid, () => this.writer());
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
    this.interruptedAtOpen = this.runs.markInterruptedRuns();
  }

  close(): void {
    if (this.writerConnection && this.writerConnection.db !== this.db && this.writerConnection.db.open)
      this.writerConnection.db.close();
    this.writerConnection = undefined;
    if (this.db.open) this.db.close();
  }

  /** Runs left 'running' by a process that no longer exists on this host become 'interrupted'; their points stay. */

  /**
   * The connection point commits go through: a short busy timeout, so a lock held elsewhere
   * makes the commit fail fast (and be retried later) instead of stalling the instrument loop.
   */
  private writer(): PointConnection {
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
}
