// Builds better-sqlite3 for Electron's ABI into .cache/electron-native/better_sqlite3.node,
// in a private copy of the package, so node_modules keeps the Node build that `npm test` uses.
// (serialport and onnxruntime-node use N-API and need no rebuild.) Needs the network for
// Electron's headers.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
).version;
const work = join(root, '.cache', 'electron-native');
const pkgCopy = join(work, 'node_modules', 'better-sqlite3');

rmSync(join(work, 'node_modules'), { recursive: true, force: true });
mkdirSync(pkgCopy, { recursive: true });
cpSync(join(root, 'node_modules', 'better-sqlite3'), pkgCopy, {
  recursive: true,
  filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
});
writeFileSync(
  join(work, 'package.json'),
  JSON.stringify({ name: 'electron-native', private: true, dependencies: { 'better-sqlite3': '*' } }),
);

const { rebuild } = await import('@electron/rebuild');
await rebuild({ buildPath: work, electronVersion, force: true, onlyModules: ['better-sqlite3'] });
const built = join(pkgCopy, 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(built)) throw new Error(`rebuild finished but ${built} is missing`);
copyFileSync(built, join(work, 'better_sqlite3.node'));
console.error(`better-sqlite3 for Electron ${electronVersion}: ${join(work, 'better_sqlite3.node')}`);
