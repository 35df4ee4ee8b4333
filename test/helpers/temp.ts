import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh database path in its own temporary folder. */
export function tempDbPath(name = 'bench.db'): string {
  return join(mkdtempSync(join(tmpdir(), 'reram-test-')), name);
}
