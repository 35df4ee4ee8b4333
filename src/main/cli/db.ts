import { defaultDbPath } from '../paths';
import { Store } from '../store/store';
import { log } from './output';

/** Opens --db or the default database; reports runs found interrupted by an earlier crash. */
export function openCliStore(path: string | undefined): Store {
  const store = new Store(path ?? defaultDbPath());
  if (store.interruptedAtOpen.length > 0) {
    log(
      `note: run(s) ${store.interruptedAtOpen.join(', ')} were left running by a process that stopped; marked interrupted (points kept)`,
    );
  }
  return store;
}
