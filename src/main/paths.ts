import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root in development; the unpacked app folder when packaged. */
export function appRoot(): string {
  if (process.env.RERAM_APP_ROOT) return resolve(process.env.RERAM_APP_ROOT);
  // src/main/paths.ts (tsx) and dist/electron/main.cjs (bundled) both sit two folders below the root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('Cannot locate the ReRAM Bench installation (set RERAM_APP_ROOT).');
}

export function resourcesDir(): string {
  return join(appRoot(), 'resources');
}

export function rendererDistDir(): string {
  return join(appRoot(), 'dist', 'renderer');
}

let cachedVersion: string | undefined;
export function appVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
  return cachedVersion;
}

/** The OS user-data directory, the same folder Electron's app.getPath('userData') uses for this app. */
export function userDataDir(): string {
  if (process.env.RERAM_USER_DATA) return resolve(process.env.RERAM_USER_DATA);
  const appName = 'ReRAM Bench';
  switch (process.platform) {
    case 'win32':
      return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), appName);
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', appName);
    default:
      return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), appName);
  }
}

export function defaultDbPath(): string {
  // The test suite sets this so that no test can read or write the developer's own data.
  if (process.env.RERAM_FORBID_USER_DATA === '1')
    throw new Error("Tests must not use the user's data folder: pass a temporary database (--db / dbPath).");
  return join(userDataDir(), 'reram-bench.db');
}

/**
 * How to run our own CLI as a child process (the virtual SMU): Node with bin/reram-bench in
 * development, Electron's bundled Node (ELECTRON_RUN_AS_NODE) with the bundled CLI when packaged.
 */
export function cliCommand(): { command: string; args: string[]; env: Record<string, string> } {
  if (process.versions.electron) {
    return {
      command: process.execPath,
      args: [join(appRoot(), 'dist', 'electron', 'cli.cjs')],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    };
  }
  return { command: process.execPath, args: [join(appRoot(), 'bin', 'reram-bench')], env: {} };
}
