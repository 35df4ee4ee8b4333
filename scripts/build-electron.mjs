// Bundles the Electron main process and the sandboxed preload into CommonJS files in dist/electron.
// Native modules stay external: electron-builder unpacks them from asar and rebuilds them for
// Electron's ABI (see README, "Desktop build").
import { build } from 'esbuild';

const native = [
  'electron',
  'better-sqlite3',
  'serialport',
  '@serialport/*',
  'onnxruntime-node',
  'bufferutil',
  'utf-8-validate',
];

await build({
  entryPoints: { main: 'src/main/electron/main.ts' },
  outdir: 'dist/electron',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  external: native,
  // Sources use import.meta.url (ESM); give the CommonJS bundle an equivalent.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

// The CLI, for the virtual SMU child process (run with ELECTRON_RUN_AS_NODE by the packaged app).
await build({
  entryPoints: { cli: 'scripts/cli-entry.ts' },
  outdir: 'dist/electron',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: native,
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

await build({
  entryPoints: { preload: 'src/main/electron/preload.ts' },
  outdir: 'dist/electron',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'browser',
  format: 'cjs',
  target: 'chrome130',
  external: ['electron'],
  logLevel: 'warning',
});
console.error('built dist/electron/main.cjs, cli.cjs and preload.cjs');
