// `npm start`: build the renderer, then launch the desktop app. Where the Electron binary is
// missing (it cannot be downloaded everywhere) or cannot open a window, say so in one line and
// serve the same app in browser mode instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const passThrough = process.argv.slice(2);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

function startBrowserMode(reason) {
  console.error(`${reason}; starting browser mode instead.`);
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'reram-bench'), 'serve', '--open', ...passThrough],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn']);

const binary = electronBinary();
const headlessLinux = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (!binary) {
  startBrowserMode(
    'Electron binary not installed (`npm run electron:fetch` downloads it where the network allows)',
  );
} else if (headlessLinux) {
  startBrowserMode('No display for the desktop window (DISPLAY is not set)');
} else {
  run(process.execPath, [join(root, 'scripts', 'build-electron.mjs')]);
  const child = spawn(binary, [root, ...passThrough], { cwd: root, stdio: 'inherit' });
  child.on('error', (error) => startBrowserMode(`Electron failed to start (${error.message})`));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) startBrowserMode(`Electron exited with code ${code}`);
    else process.exit(0);
  });
}
