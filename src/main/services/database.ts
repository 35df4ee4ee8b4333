/** The database the front doors open: the store, migrated, with runs a crash left marked. */
import { Store } from '../store/store';

export type { Store };

/**
 * Opens (and migrates) the database at `path`; `note` hears about runs an earlier process left
 * running, which are now marked interrupted with their points kept.
 */
export function openDatabase(path: string, note: (message: string) => void = () => {}): Store {
  const store = new Store(path);
  if (store.interruptedAtOpen.length > 0)
    note(
      `run(s) ${store.interruptedAtOpen.join(', ')} were left running by a process that stopped; marked interrupted (points kept)`,
    );
  return store;
}
