import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from '../../src/main/store/migrations';
import { RunWriter } from '../../src/main/store/run-writer';
import { Store } from '../../src/main/store/store';
import { makePoint } from '../helpers/points';

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'reram-store-')), 'bench.db');
const identity = {
  make: 'KEITHLEY INSTRUMENTS INC.',
  model: '2400',
  serial: '1234',
  firmware: 'C30',
  raw: 'KEITHLEY…',
};

describe('SQLite store', () => {
  it('creates the schema in an empty file, with WAL and foreign keys', () => {
    const path = tempDb();
    const store = new Store(path);
    expect(schemaVersion(store.db)).toBe(SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (
      store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
        name: string;
      }>
    ).map((t) => t.name);
    expect(tables).toEqual([
      'app_settings',
      'instruments',
      'points',
      'predictions',
      'profiles',
      'queue_steps',
      'queues',
      'recipes',
      'run_traces',
      'runs',
      'samples',
      'sweeps',
    ]);
    store.close();
  });

  it.each(Array.from({ length: SCHEMA_VERSION }, (_, v) => v))(
    'migrates a version-%i file to the latest, keeping its data',
    (from) => {
      const path = tempDb();
      const old = new Database(path);
      migrate(old, from);
      expect(schemaVersion(old)).toBe(from);
      if (from >= 1) {
        old
          .prepare(
            "INSERT INTO runs (procedure, params_json, status, started_at, software_version) VALUES ('pulse-train', '{}', 'completed', '2026-01-01', '0.0.1')",
          )
          .run();
        old
          .prepare(
            "INSERT INTO runs (procedure, params_json, status, started_at, software_version) VALUES ('read', '{}', 'running', '2026-01-02', '0.0.1')",
          )
          .run();
        const insert = old.prepare(
          from >= 4
            ? "INSERT INTO points (run_id, seq, t, v_source, v, i, g, pulse, phase, kind, cell, cycle, compliance) VALUES (1, ?, 0, 0.1, 0.1, 1e-6, 1e-5, 0, 'ltp', 'read', 0, 0, 0)"
            : "INSERT INTO points (run_id, seq, t, v, i, g, pulse, phase, kind, cell, cycle, compliance) VALUES (1, ?, 0, 0.1, 1e-6, 1e-5, 0, 'ltp', 'read', 0, 0, 0)",
        );
        for (let k = 0; k < 5; k++) insert.run(k);
        // From schema 3 on, the writer keeps the count itself.
        if (from >= 3) old.prepare('UPDATE runs SET point_count = 5 WHERE id = 1').run();
      }
      if (from >= 2)
        old
          .prepare(
            "INSERT INTO profiles (name, profile_json, created_at, updated_at) VALUES ('legacy', ?, 'x', 'x')",
          )
          .run(JSON.stringify(builtinProfiles('0.0.1')[0]));
      old.close();

      const store = new Store(path);
      expect(schemaVersion(store.db)).toBe(SCHEMA_VERSION);
      if (from >= 1) {
        const run = store.runs.getRun(1);
        expect(run.pointCount).toBe(5);
        const points = store.runs.getPoints(1);
        expect(points).toHaveLength(5);
        // Schema 4: the old v is both the programmed and the measured level, with no flags.
        expect(points[0]).toMatchObject({ vSource: 0.1, v: 0.1, i: 1e-6, flags: 0, width: null });
        // A run left 'running' by software that predates owner tracking cannot be live: interrupted.
        expect(store.runs.getRun(2).status).toBe('interrupted');
      }
      if (from >= 2) {
        expect(store.profiles.get('legacy')?.profile.name).toBe('Ag:a-Si');
        // Profiles stored before summaries existed are summarised on first listing.
        expect(store.profiles.listSummaries()[0]).toMatchObject({ name: 'Ag:a-Si', readOnly: false });
      }
      store.close();
    },
  );

  it('refuses a database from a newer version instead of damaging it', () => {
    const path = tempDb();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new Store(path)).toThrow(/newer ReRAM Bench/);
  });

  it('round-trips runs, points, settings and profiles', async () => {
    const path = tempDb();
    let store = new Store(path);
    const runId = store.runs.createRun({
      procedure: 'pulse-train',
      params: { pulses: 3 },
      instrument: identity,
      resource: 'TCPIP::x::5025::SOCKET',
      cell: 2,
      sample: { cell: '2' },
      softwareVersion: '1.0.0',
    });
    store.runs.setRunSettings(runId, { compliance: 1e-3 });
    const writer = new RunWriter(store, runId, { batchSize: 4 });
    const points = Array.from({ length: 10 }, (_, seq) =>
      makePoint({
        seq,
        g: seq === 3 ? null : 1e-5 * seq,
        compliance: seq === 5,
        target: seq === 7 ? 2 : null,
      }),
    );
    points.forEach((p) => writer.add(p));
    expect(writer.written).toBe(8); // two full batches committed while streaming
    await writer.finish('completed');
    const profile = builtinProfiles('1.0.0')[2]!;
    store.profiles.save({ ...profile, name: 'mine' });
    expect(() => store.profiles.save({ ...profile, name: 'MINE' })).toThrow(/already exists/);
    store.settings.set('instrument.allowedHosts', ['192.168.0.10']);
    store.close();

    // The run points at its sample (the cell it measured).
    const raw = new Database(path, { readonly: true });
    expect(
      raw.prepare('SELECT s.cell FROM runs r JOIN samples s ON s.id = r.sample_id WHERE r.id = ?').get(runId),
    ).toEqual({ cell: '2' });
    raw.close();

    store = new Store(path);
    const run = store.runs.getRun(runId);
    expect(run).toMatchObject({
      procedure: 'pulse-train',
      status: 'completed',
      pointCount: 10,
      cell: 2,
      params: { pulses: 3 },
      resource: 'TCPIP::x::5025::SOCKET',
    });
    expect(run.instrument).toContain('2400');
    expect(store.runs.runSettings(runId)).toEqual({ compliance: 1e-3 });
    expect(store.runs.getPoints(runId)).toEqual(points);
    expect(store.runs.getPoints(runId, { afterSeq: 7 })).toEqual(points.slice(8));
    expect(store.profiles.get('mine')?.profile).toEqual({ ...profile, name: 'mine' });
    expect(store.profiles.listSummaries()).toMatchObject([
      {
        name: 'mine',
        tables: profile.tables.map((t) => ({ levels: t.levels.length, programming: t.programming })),
      },
    ]);
    expect(store.settings.get('instrument.allowedHosts')).toEqual(['192.168.0.10']);
    expect(store.runs.listRuns()).toHaveLength(1);
    expect(() => store.runs.getRun(999)).toThrow(/does not exist/);
    store.runs.deleteRun(runId);
    expect(store.runs.getPoints(runId)).toEqual([]); // cascade
    store.close();
  });

  it('does not mark a run interrupted while its process is alive', () => {
    const path = tempDb();
    const writerStore = new Store(path);
    const runId = writerStore.runs.createRun({ procedure: 'read', params: {}, softwareVersion: '1' });
    const other = new Store(path, { pid: process.pid + 1 });
    expect(other.runs.getRun(runId).status).toBe('running');
    other.close();
    writerStore.close();
  });
});

describe('a database locked by another program', () => {
  it('holds the points in memory and commits them once the lock is gone, with no uncaught error', async () => {
    const path = tempDb();
    const store = new Store(path);
    const runId = store.runs.createRun({ procedure: 'read', params: {}, softwareVersion: '1' });
    const delays: string[] = [];
    const writer = new RunWriter(store, runId, { onDelay: (message) => delays.push(message) });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    // Another program (another connection) takes the write lock and keeps it for 6 s.
    const other = new Database(path);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        other.exec('COMMIT');
        other.close();
        resolve();
      }, 6000),
    );
    for (let seq = 0; seq < 200; seq++) {
      writer.add(makePoint({ seq }));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(writer.written).toBe(0); // nothing could be committed yet …
    expect(writer.pending).toBe(200); // … and nothing was dropped
    expect(delays[0]).toMatch(/locked by another program; \d+ points held, retrying/);
    await released;
    await writer.finish('completed');
    process.off('uncaughtException', onUncaught);
    expect(uncaught).toEqual([]);
    expect(store.runs.getPoints(runId).map((p) => p.seq)).toEqual(Array.from({ length: 200 }, (_, k) => k));
    expect(store.runs.getRun(runId)).toMatchObject({ status: 'completed', pointCount: 200 });
    store.close();
  }, 20_000);

  it('refuses an empty path, a directory and a file that is not a database', () => {
    expect(() => new Store('')).toThrow(/empty/);
    const dir = mkdtempSync(join(tmpdir(), 'reram-dir-'));
    expect(() => new Store(dir)).toThrow(/is a directory/);
    const notDb = join(dir, 'notes.txt');
    writeFileSync(notDb, 'these are my lab notes, not a database\n'.repeat(100));
    expect(() => new Store(notDb)).toThrow(/not a ReRAM Bench database/);
    expect(readFileSync(notDb, 'utf8')).toMatch(/^these are my lab notes/); // untouched
  });
});
