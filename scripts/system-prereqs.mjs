// The one list of system packages the test suite needs. `npm test` (scripts/test-prereqs.mjs)
// checks and installs from it, and `.ci/run` installs nothing of its own, so CI cannot pass
// where a fresh machine's `npm test` would fail. Each entry is checked by what the tests
// actually use: a binary on PATH, or a module imported by the Python the tests run.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The interpreter the Python-side tests run: Debian's, where apt installs python3-* packages. */
export const testPython = () => process.env.RERAM_TEST_PYTHON ?? '/usr/bin/python3';

export const onPath = (name, path = process.env.PATH ?? '') =>
  path.split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const pythonHas = (module) =>
  spawnSync(testPython(), ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;

/** @type {{ pkg: string, check: string, ok: () => boolean, why: string }[]} */
export const SYSTEM_PREREQUISITES = [
  {
    pkg: 'socat',
    check: 'socat on PATH',
    ok: () => onPath('socat'),
    why: 'real pseudo-terminals for the serial tests',
  },
  {
    pkg: 'chromium',
    check: 'chromium on PATH (or CHROMIUM_PATH)',
    ok: () => onPath('chromium') || Boolean(process.env.CHROMIUM_PATH),
    why: 'browser and end-to-end tests',
  },
  { pkg: 'udev', check: 'udevadm on PATH', ok: () => onPath('udevadm'), why: 'serial port enumeration' },
  {
    pkg: 'build-essential',
    check: 'cc and g++ on PATH',
    ok: () => onPath('cc') && onPath('g++'),
    why: "compiles the fake VISA library, and NeuroSim's own Cell.cpp with the exported patch",
  },
  {
    pkg: 'python3-pymeasure',
    check: 'import pymeasure',
    ok: () => pythonHas('pymeasure'),
    why: 'independent Keithley 2400 client cross-check',
  },
  {
    pkg: 'python3-pyvisa-py',
    check: 'import pyvisa_py',
    ok: () => pythonHas('pyvisa_py'),
    why: "PyMeasure's VISA backend (TCP sockets and serial without a vendor VISA)",
  },
  {
    pkg: 'python3-serial',
    check: 'import serial',
    ok: () => pythonHas('serial'),
    why: "pyvisa-py's serial (ASRL) resources",
  },
  {
    pkg: 'python3-numpy',
    check: 'import numpy',
    ok: () => pythonHas('numpy'),
    why: "CrossSim's and aihwkit's own code (test/upstream) run on it",
  },
  {
    pkg: 'python3-scipy',
    check: 'import scipy',
    ok: () => pythonHas('scipy'),
    why: "CrossSim's process_measured_data.py (LinearNDInterpolator, gaussian_kde)",
  },
  {
    pkg: 'python3-matplotlib',
    check: 'import matplotlib',
    ok: () => pythonHas('matplotlib'),
    why: "CrossSim's create_lookup_table.py plots as it builds its tables",
  },
  {
    pkg: 'python3-torch',
    check: 'import torch',
    ok: () => pythonHas('torch'),
    why: "aihwkit's Python (configs, conductance converter) is built on torch",
  },
  {
    pkg: 'python3-h5py',
    check: 'import h5py',
    ok: () => pythonHas('h5py'),
    why: 'reads exported HDF5 run data back',
  },
  {
    pkg: 'python3-wrapt',
    check: 'import wrapt',
    ok: () => pythonHas('wrapt'),
    why: "QCoDeS's instrument framework (vendored, for the 2600B driver cross-check) imports it",
  },
];

export const missingPrerequisites = () => SYSTEM_PREREQUISITES.filter((r) => !r.ok());
