import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// End-to-end tests drive the built renderer, exactly what `npm start` serves.
export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('vite build failed');
}
