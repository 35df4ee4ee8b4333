/** App settings: small JSON values by key (the hosts the user allowed, the guide's state). */
import type { Database } from 'better-sqlite3';

export class SettingsRepository {
  constructor(private readonly db: Database) {}

  /** An app setting (JSON), or undefined. */
  get<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value_json FROM app_settings WHERE key = ?').get(key) as
      { value_json: string } | undefined;
    return row ? (JSON.parse(row.value_json) as T) : undefined;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO app_settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json',
      )
      .run(key, JSON.stringify(value));
  }
}
