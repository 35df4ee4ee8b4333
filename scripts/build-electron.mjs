// Bundles the Electron main process, the sandboxed preload and the CLI (for the virtual SMU child
// process) into CommonJS files in dist/electron. Native modules stay external: electron-builder
// unpacks them from asar, and better-sqlite3 is rebuilt for Electron's ABI (README, "Desktop build").
import { build } from 'esbuild';

const native = [
  'electron',
  'better-sqlite3',
  'serialport',
  '@serialport/*',
  'onnxruntime-node',
  'koffi',
  '@resvg/resvg-js',
  'bufferutil',
  'utf-8-validate',
];

const common = {
  outdir: 'dist/electron',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  logLevel: 'warning',
};
// Sources use import.meta.url (ESM); give the CommonJS bundles an equivalent.
const nodeBundle = {
  ...common,
  platform: 'node',
  target: 'node22',
  external: native,
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

await build({ ...nodeBundle, entryPoints: { main: 'src/main/electron/main.ts' }, sourcemap: true });
// Prediction workers (node:worker_threads), started by main from beside main.cjs.
await build({ ...nodeBundle, entryPoints: { 'predict-worker': 'src/main/predict/worker.ts' } });
// The CLI, run by the packaged app with ELECTRON_RUN_AS_NODE for the virtual SMU.
await build({ ...nodeBundle, entryPoints: { cli: 'scripts/cli-entry.ts' } });
// The sandboxed preload may require only 'electron'.
await build({
  ...common,
  entryPoints: { preload: 'src/main/electron/preload.ts' },
  platform: 'browser',
  target: 'chrome130',
  external: ['electron'],
});
console.error('built dist/electron/main.cjs, predict-worker.cjs, cli.cjs and preload.cjs');
