import { defaultDbPath } from '../paths';
import { openDatabase, type Store } from '../services/database';
import { log } from './output';

let globalDb: string | undefined;

/** `reram-bench --db FILE COMMAND`: the database for every command that does not name its own. */
export function setGlobalDb(path: string | undefined): void {
  globalDb = path;
}

/** The database a command uses: its own --db, the global one, or the OS user-data folder's. */
export function cliDbPath(path: string | undefined): string {
  return path ?? globalDb ?? defaultDbPath();
}

/** Opens --db or the default database; reports runs found interrupted by an earlier crash. */
export function openCliStore(path: string | undefined): Store {
  return openDatabase(cliDbPath(path), (message) => log(`note: ${message}`));
}
