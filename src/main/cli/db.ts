import { defaultDbPath } from '../paths';
import { Store } from '../store/store';
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
  const store = new Store(cliDbPath(path));
  if (store.interruptedAtOpen.length > 0) {
    log(
      `note: run(s) ${store.interruptedAtOpen.join(', ')} were left running by a process that stopped; marked interrupted (points kept)`,
    );
  }
  return store;
}
