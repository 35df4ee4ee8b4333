import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';
import { TEST_PYTHON } from '../helpers/python';
import { spawnSim } from '../helpers/sim';

// Keeps the 2400 emulation honest: an independent, widely used client must be able to drive it.
// Debian's python3-pymeasure is installed by `npm test` (scripts/system-prereqs.mjs).
describe('PyMeasure Keithley2400 against the virtual SMU', () => {
  let sim: Awaited<ReturnType<typeof spawnSim>>;
  beforeAll(async () => {
    sim = await spawnSim(['--pty', '--time-scale', '0', '--seed', '3']);
  });
  afterAll(() => sim.stop());

  const runPymeasure = (resource: string, cell: number, terminators: string[]) => {
    const result = spawnSync(
      TEST_PYTHON,
      [join(REPO_ROOT, 'test', 'fixtures', 'pymeasure_k2400.py'), resource, String(cell), ...terminators],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  };

  it.each([
    ['LAN socket', () => sim.tcp, 0, ['\n', '\n']],
    ['serial pty (CR in, CR out: a factory 2400)', () => sim.pty!, 1, ['\r', '\r']],
  ])(
    'over a %s: identifies, sources, reads a current and sees compliance trip',
    (_label, resource, cell, terminators) => {
      const out = runPymeasure(resource(), cell, terminators);
      expect(out.id).toMatch(/^KEITHLEY INSTRUMENTS INC\.,MODEL 2400,SIM/);
      expect(out.source_mode).toBe('voltage');
      expect(out.compliance_current).toBeCloseTo(1e-6);
      expect(out.current_read as number).toBeGreaterThan(0);
      expect(out.current_read as number).toBeLessThan(1e-6);
      expect(out.current_at_limit).toBeCloseTo(1e-6, 9);
      expect(out.tripped).toBe(1);
      expect(out.output).toBe(0);
      expect(out.error).toEqual([0, 'No error']);
    },
  );
});
