import type { Database } from 'better-sqlite3';
import { ReramError } from '../../shared/errors';

/**
 * Schema migrations, one function per version step (v → v+1), each run in its own transaction
 * and recorded in PRAGMA user_version. Never edit a released step: add a new one.
 */
export const MIGRATIONS: ReadonlyArray<(db: Database) => void> = [
  // 0 → 1: measurements.
  (db) => {
    db.exec(`
      CREATE TABLE instruments (
        id INTEGER PRIMARY KEY,
        make TEXT NOT NULL,
        model TEXT NOT NULL,
        serial TEXT NOT NULL,
        firmware TEXT NOT NULL,
        idn TEXT NOT NULL,
        UNIQUE (make, model, serial)
      );
      CREATE TABLE samples (
        id INTEGER PRIMARY KEY,
        wafer TEXT NOT NULL DEFAULT '',
        chip TEXT NOT NULL DEFAULT '',
        die TEXT NOT NULL DEFAULT '',
        cell TEXT NOT NULL DEFAULT '',
        UNIQUE (wafer, chip, die, cell)
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        procedure TEXT NOT NULL,
        params_json TEXT NOT NULL,
        settings_json TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'cancelled', 'failed', 'interrupted')),
        started_at TEXT NOT NULL,
        ended_at TEXT,
        instrument_id INTEGER REFERENCES instruments(id),
        resource TEXT,
        sample_id INTEGER REFERENCES samples(id),
        cell INTEGER,
        software_version TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX runs_started ON runs (started_at);
      CREATE TABLE points (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        t REAL NOT NULL,
        v REAL NOT NULL,
        i REAL NOT NULL,
        g REAL,
        pulse INTEGER NOT NULL,
        phase TEXT NOT NULL,
        kind TEXT NOT NULL,
        cell INTEGER NOT NULL,
        cycle INTEGER NOT NULL,
        compliance INTEGER NOT NULL,
        target INTEGER,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `);
  },
  // 1 → 2: fitted level tables and device profiles.
  (db) => {
    db.exec(`
      CREATE TABLE level_tables (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        name TEXT NOT NULL,
        levels INTEGER NOT NULL,
        table_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE profiles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        profile_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
  // 2 → 3: which process owns a running run, so a crashed one is told apart from a live one.
  (db) => {
    db.exec(`
      ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE runs ADD COLUMN owner_host TEXT;
      ALTER TABLE runs ADD COLUMN point_count INTEGER NOT NULL DEFAULT 0;
      UPDATE runs SET point_count = (SELECT count(*) FROM points WHERE points.run_id = runs.id);
    `);
  },
  // 3 → 4: a reading may be no reading (overflow, "no data"): v and i become nullable, with flags;
  // the programmed level and a pulse's achieved width are kept beside the measured values.
  (db) => {
    db.exec(`
      CREATE TABLE points_v4 (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        t REAL NOT NULL,
        v_source REAL NOT NULL,
        v REAL,
        i REAL,
        g REAL,
        pulse INTEGER NOT NULL,
        phase TEXT NOT NULL,
        kind TEXT NOT NULL,
        cell INTEGER NOT NULL,
        cycle INTEGER NOT NULL,
        compliance INTEGER NOT NULL,
        flags INTEGER NOT NULL DEFAULT 0,
        width REAL,
        target INTEGER,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
      INSERT INTO points_v4 (run_id, seq, t, v_source, v, i, g, pulse, phase, kind, cell, cycle, compliance, flags, width, target)
        SELECT run_id, seq, t, v, v, i, g, pulse, phase, kind, cell, cycle, compliance, 0, NULL, target FROM points;
      DROP TABLE points;
      ALTER TABLE points_v4 RENAME TO points;
    `);
  },
  // 4 → 5: app settings (the hosts the user allowed); profile summaries beside the profiles, so
  // listing does not parse every stored profile; the level_tables cache nothing ever read is gone.
  (db) => {
    db.exec(`
      CREATE TABLE app_settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
      );
      ALTER TABLE profiles ADD COLUMN summary_json TEXT;
      DROP TABLE level_tables;
    `);
  },
  // 5 → 6: sweeps, each grid point's prediction stored as it finishes (resumable).
  (db) => {
    db.exec(`
      CREATE TABLE sweeps (
        sweep TEXT NOT NULL,
        point_key TEXT NOT NULL,
        point_json TEXT NOT NULL,
        report_json TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (sweep, point_key)
      );
    `);
  },
  // 6 → 7: a run keeps its outcome summary and can be hidden; predictions are stored with their
  // full request; recipes, and queues of recipe steps over cells (resumable).
  (db) => {
    db.exec(`
      ALTER TABLE runs ADD COLUMN summary_json TEXT;
      ALTER TABLE runs ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE predictions (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,
        title TEXT NOT NULL,
        request_json TEXT NOT NULL,
        summary_json TEXT,
        report_json TEXT,
        error TEXT,
        owner_pid INTEGER,
        owner_host TEXT
      );
      CREATE TABLE recipes (
        name TEXT PRIMARY KEY,
        recipe_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE queues (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        recipe_json TEXT NOT NULL,
        recipe_key TEXT NOT NULL,
        resource TEXT,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        ended_at TEXT,
        owner_pid INTEGER,
        owner_host TEXT
      );
      CREATE TABLE queue_steps (
        queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        cell INTEGER NOT NULL,
        step INTEGER NOT NULL,
        procedure TEXT NOT NULL,
        status TEXT NOT NULL,
        run_id INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        PRIMARY KEY (queue_id, position)
      );
    `);
  },
  // 7 → 8: a finished run's drawing (its decimated trace), so a million-point run opens at once.
  (db) => {
    db.exec(`
      CREATE TABLE run_traces (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        point_count INTEGER NOT NULL,
        trace_json TEXT NOT NULL
      );
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the pending steps in order; each step and its version bump commit together. */
export function migrate(db: Database, target = SCHEMA_VERSION): number {
  let version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new ReramError(
      'UNSUPPORTED',
      `This database was written by a newer ReRAM Bench (schema ${version}; this version knows up to ${SCHEMA_VERSION}). Update ReRAM Bench.`,
    );
  }
  while (version < target) {
    // IMMEDIATE takes the write lock first, and the version is read again under it: another
    // process opening the same new database may have just run this step.
    version = db
      .transaction(() => {
        const current = schemaVersion(db);
        if (current !== version) return current;
        MIGRATIONS[current]!(db);
        db.pragma(`user_version = ${current + 1}`);
        return current + 1;
      })
      .immediate();
  }
  return version;
}
