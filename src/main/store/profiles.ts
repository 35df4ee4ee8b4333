/** Device profiles, stored as their JSON with a summary beside it (listing parses no profile). */
import type { Database } from 'better-sqlite3';
import { ReramError } from '../../shared/errors';
import { parseProfileJson, serializeProfile } from '../../shared/profile/json';
import { summarizeProfile, type DeviceProfile, type ProfileSummary } from '../../shared/profile/schema';

export class ProfileRepository {
  constructor(private readonly db: Database) {}

  /** Saves a profile; an existing one with the same name is replaced only when `overwrite` is set. */
  save(profile: DeviceProfile, options: { overwrite?: boolean } = {}): void {
    const json = serializeProfile(profile);
    const summary = JSON.stringify(summarizeProfile(profile, false, null));
    const now = new Date().toISOString();
    // Check and write in one transaction: two saves of the same name cannot both pass the check.
    this.db.transaction(() => {
      const exists = this.db.prepare('SELECT id FROM profiles WHERE name = ?').get(profile.name);
      if (exists && !options.overwrite)
        throw new ReramError('CONFLICT', `A profile named '${profile.name}' already exists.`);
      this.db
        .prepare(
          'INSERT INTO profiles (name, profile_json, summary_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET profile_json = excluded.profile_json, summary_json = excluded.summary_json, updated_at = excluded.updated_at',
        )
        .run(profile.name, json, summary, now, now);
    })();
  }

  /** Summaries of the stored profiles, without parsing them (older rows are summarised once). */
  listSummaries(): ProfileSummary[] {
    const rows = this.db
      .prepare('SELECT name, summary_json, updated_at FROM profiles ORDER BY name')
      .all() as Array<{ name: string; summary_json: string | null; updated_at: string }>;
    return rows.map((row) => {
      let json = row.summary_json;
      if (json === null) {
        const stored = this.get(row.name);
        json = JSON.stringify(summarizeProfile(stored!.profile, false, null));
        this.db.prepare('UPDATE profiles SET summary_json = ? WHERE name = ?').run(json, row.name);
      }
      return { ...(JSON.parse(json) as ProfileSummary), updatedAt: row.updated_at };
    });
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM profiles').get() as { n: number }).n;
  }

  get(name: string): { profile: DeviceProfile; updatedAt: string } | undefined {
    const row = this.db.prepare('SELECT profile_json, updated_at FROM profiles WHERE name = ?').get(name) as
      { profile_json: string; updated_at: string } | undefined;
    return row
      ? { profile: parseProfileJson(row.profile_json, `stored profile '${name}'`), updatedAt: row.updated_at }
      : undefined;
  }

  list(): Array<{ profile: DeviceProfile; updatedAt: string }> {
    const rows = this.db
      .prepare('SELECT name, profile_json, updated_at FROM profiles ORDER BY name')
      .all() as Array<{
      name: string;
      profile_json: string;
      updated_at: string;
    }>;
    return rows.map((row) => ({
      profile: parseProfileJson(row.profile_json, `stored profile '${row.name}'`),
      updatedAt: row.updated_at,
    }));
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM profiles WHERE name = ?').run(name).changes > 0;
  }
}
