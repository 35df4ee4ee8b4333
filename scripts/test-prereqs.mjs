// Before `npm test`: the suite uses real tools (socat ptys, headless Chromium, Debian's PyMeasure
// for the independent SCPI cross-check). Install what is missing when we are root on Debian;
// otherwise stop with the exact command to run. Tests never skip silently.
//
//   node scripts/test-prereqs.mjs           check, install as root on Debian, or stop
//   node scripts/test-prereqs.mjs --check   check only: list what is missing and exit 1
import { spawnSync } from 'node:child_process';
import { missingPrerequisites, onPath, testPython } from './system-prereqs.mjs';

const checkOnly = process.argv.includes('--check');

function report(missing) {
  console.error('npm test needs these system packages, which are missing:');
  for (const r of missing) console.error(`  - ${r.pkg} (${r.check} failed): ${r.why}`);
  console.error(
    `Install them (Debian/Ubuntu): sudo apt-get install -y ${missing.map((r) => r.pkg).join(' ')}`,
  );
  if (missing.some((r) => r.pkg.startsWith('python3-')))
    console.error(`Python modules are checked with ${testPython()} (set RERAM_TEST_PYTHON to use another).`);
}

let missing = missingPrerequisites();
if (missing.length > 0 && !checkOnly) {
  const names = missing.map((r) => r.pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && onPath('apt-get')) {
    console.error(`test prerequisites: installing ${names.join(', ')} with apt-get…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env };
    spawnSync('apt-get', ['update', '-qq'], quiet);
    // Recommends stay off: every package a test imports is on the list by name.
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], quiet);
    missing = missingPrerequisites();
  }
}
if (missing.length > 0) {
  report(missing);
  process.exit(1);
}
