// Before `npm test`: the suite uses real tools (socat ptys, headless Chromium, Debian's PyMeasure
// for the independent SCPI cross-check). Install what is missing when we are root on Debian;
// otherwise stop with the exact command to run. Tests never skip silently.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const onPath = (name) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
const pythonHas = (module) =>
  spawnSync('/usr/bin/python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;

const requirements = [
  { pkg: 'socat', ok: () => onPath('socat'), why: 'real pseudo-terminals for the serial tests' },
  {
    pkg: 'chromium',
    ok: () => onPath('chromium') || Boolean(process.env.CHROMIUM_PATH),
    why: 'browser and end-to-end tests',
  },
  { pkg: 'udev', ok: () => onPath('udevadm'), why: 'serial port enumeration' },
  {
    pkg: 'python3-pymeasure',
    ok: () => pythonHas('pymeasure'),
    why: 'independent Keithley 2400 client cross-check',
  },
];

let missing = requirements.filter((r) => !r.ok());
if (missing.length > 0) {
  const names = missing.map((r) => r.pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && onPath('apt-get')) {
    console.error(`test prerequisites: installing ${names.join(', ')} with apt-get…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
    missing = requirements.filter((r) => !r.ok());
  }
}
if (missing.length > 0) {
  console.error('npm test needs these system packages, which are missing:');
  for (const r of missing) console.error(`  - ${r.pkg}: ${r.why}`);
  console.error(
    `Install them (Debian/Ubuntu): sudo apt-get install -y ${missing.map((r) => r.pkg).join(' ')}`,
  );
  process.exit(1);
}
