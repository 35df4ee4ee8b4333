/** Stored predictions: the request, its status, and the report when it finishes. */
import type { Database } from 'better-sqlite3';
import { hostname } from 'node:os';
import type { PredictionRecord, PredictionSummary } from '../../shared/api';
import { ReramError } from '../../shared/errors';
import { PredictionReport, type MethodResult } from '../../shared/rca/report';
import { ownerGone } from './owner';

interface Row {
  id: number;
  created_at: string;
  ended_at: string | null;
  status: PredictionSummary['status'];
  title: string;
  request_json: string;
  summary_json: string | null;
  error: string | null;
}

export interface PredictionMeta {
  title: string;
  model: string;
  dataset: string;
  profile: string;
  table: string | null;
}

interface StoredSummary extends PredictionMeta {
  results: PredictionSummary['results'];
  chips: number | null;
  elapsedS: number | null;
}

const SELECT =
  'SELECT id, created_at, ended_at, status, title, request_json, summary_json, error FROM predictions';

function toSummary(row: Row): PredictionSummary {
  const stored = JSON.parse(row.summary_json ?? '{}') as Partial<StoredSummary>;
  return {
    id: row.id,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    status: row.status,
    title: row.title,
    model: stored.model ?? '',
    dataset: stored.dataset ?? '',
    profile: stored.profile ?? '',
    table: stored.table ?? null,
    results: stored.results ?? [],
    chips: stored.chips ?? null,
    elapsedS: stored.elapsedS ?? null,
    error: row.error,
  };
}

export class PredictionRepository {
  constructor(
    private readonly db: Database,
    private readonly pid = process.pid,
  ) {}

  create(meta: PredictionMeta, request: Record<string, unknown>): number {
    const summary: StoredSummary = { ...meta, results: [], chips: null, elapsedS: null };
    const result = this.db
      .prepare(
        "INSERT INTO predictions (created_at, status, title, request_json, summary_json, owner_pid, owner_host) VALUES (?, 'running', ?, ?, ?, ?, ?)",
      )
      .run(
        new Date().toISOString(),
        meta.title,
        JSON.stringify(request),
        JSON.stringify(summary),
        this.pid,
        hostname(),
      );
    return Number(result.lastInsertRowid);
  }

  finish(
    id: number,
    status: Exclude<PredictionSummary['status'], 'running'>,
    outcome: { report?: PredictionReport; error?: string; partial?: MethodResult[] },
  ): void {
    const row = this.db.prepare('SELECT summary_json FROM predictions WHERE id = ?').get(id) as
      { summary_json: string | null } | undefined;
    if (!row) return;
    const summary = JSON.parse(row.summary_json ?? '{}') as StoredSummary;
    if (outcome.report) {
      summary.results = outcome.report.results.map(({ accuracies: _accuracies, ...rest }) => rest);
      summary.chips = outcome.report.chips.count;
      summary.elapsedS = outcome.report.elapsedS;
    } else if (outcome.partial?.length) {
      // Cancelled: what was measured so far is kept, as the progress showed it.
      summary.results = outcome.partial.map(({ accuracies: _accuracies, ...rest }) => rest);
    }
    this.db
      .prepare(
        'UPDATE predictions SET status = ?, ended_at = ?, summary_json = ?, report_json = ?, error = ? WHERE id = ?',
      )
      .run(
        status,
        new Date().toISOString(),
        JSON.stringify(summary),
        outcome.report ? JSON.stringify(outcome.report) : null,
        outcome.error ?? null,
        id,
      );
  }

  list(limit = 100): PredictionSummary[] {
    return (this.db.prepare(`${SELECT} ORDER BY id DESC LIMIT ?`).all(limit) as Row[]).map(toSummary);
  }

  get(id: number): PredictionRecord {
    const row = this.db.prepare(`${SELECT.replace(' FROM', ', report_json FROM')} WHERE id = ?`).get(id) as
      (Row & { report_json: string | null }) | undefined;
    if (!row) throw new ReramError('NOT_FOUND', `Prediction ${id} does not exist.`);
    return {
      ...toSummary(row),
      request: JSON.parse(row.request_json) as Record<string, unknown>,
      report: row.report_json ? PredictionReport.parse(JSON.parse(row.report_json)) : null,
    };
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM predictions WHERE id = ?').run(id).changes > 0;
  }

  /** Predictions left running by a process that stopped become 'interrupted'. */
  markInterrupted(): number[] {
    const running = this.db
      .prepare("SELECT id, owner_pid, owner_host FROM predictions WHERE status = 'running'")
      .all() as Array<{ id: number; owner_pid: number | null; owner_host: string | null }>;
    const dead = running.filter((p) => ownerGone({ pid: p.owner_pid, host: p.owner_host }, this.pid));
    const update = this.db.prepare(
      "UPDATE predictions SET status = 'interrupted', ended_at = ?, error = 'The process running this prediction stopped.' WHERE id = ?",
    );
    const now = new Date().toISOString();
    this.db.transaction(() => dead.forEach((p) => update.run(now, p.id)))();
    return dead.map((p) => p.id);
  }
}
