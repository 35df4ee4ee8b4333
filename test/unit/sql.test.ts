import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { rawSql, sql, sqlJoin } from '../../src/main/store/sql';

describe('sql`` (dynamic SQL as parameters, not pasted text)', () => {
  it('turns values into parameters and keeps a nested fragment’s text and values in order', () => {
    const condition = sqlJoin([sql`a = ${1}`, sql`b IN (${'x'}, ${null})`], ' AND ');
    const query = sql`SELECT * FROM t WHERE ${condition} LIMIT ${10}`;
    expect(query.text).toBe('SELECT * FROM t WHERE a = ? AND b IN (?, ?) LIMIT ?');
    expect(query.values).toEqual([1, 'x', null, 10]);
    expect(query.text.split('?').length - 1).toBe(query.values.length);
    expect(sql``).toEqual({ text: '', values: [] });
    expect(sql`${rawSql('SELECT 1')} AS one`).toEqual({ text: 'SELECT 1 AS one', values: [] });
  });

  it('runs on SQLite, and a hostile value stays a value', () => {
    const db = new Database(':memory:');
    db.exec(
      "CREATE TABLE runs (id INTEGER PRIMARY KEY, procedure TEXT); INSERT INTO runs (procedure) VALUES ('read'), ('forming')",
    );
    const hostile = "read'; DROP TABLE runs; --";
    for (const procedure of ['forming', hostile]) {
      const query = sql`SELECT count(*) AS n FROM runs WHERE ${sqlJoin([sql`procedure = ${procedure}`, sql`id > ${0}`], ' AND ')}`;
      const { n } = db.prepare(query.text).get(...query.values) as { n: number };
      expect(n).toBe(procedure === 'forming' ? 1 : 0);
    }
    expect((db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n).toBe(2);
    db.close();
  });
});
