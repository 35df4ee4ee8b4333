import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';

describe('reram-bench CLI skeleton', () => {
  it('--help lists the commands on stdout and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: reram-bench');
    expect(result.stdout).toMatch(/doctor/);
    expect(result.stdout).toMatch(/serve/);
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an unknown command is a usage error: exit 2, message on stderr, nothing on stdout', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('doctor --json reports Node, Electron, native modules, tools and serial ports', async () => {
    const result = await runCli(['doctor', '--json']);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      node: { version: string };
      electron: { installed: boolean; detail: string };
      checks: Array<{ name: string; ok: boolean; required: boolean }>;
      serialPorts: unknown[];
    };
    expect(result.code).toBe(report.ok ? 0 : 1);
    expect(report.node.version).toBe(process.versions.node);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    for (const native of ['better-sqlite3', 'serialport', 'onnxruntime-node'])
      expect(byName[native]?.ok).toBe(true);
    expect(byName.socat?.ok).toBe(true);
    expect(byName.chromium?.ok).toBe(true);
    expect(Array.isArray(report.serialPorts)).toBe(true);
    expect(typeof report.electron.installed).toBe('boolean');
  });

  it('doctor survives a machine without udevadm (SerialPort.list would crash outside a promise)', async () => {
    // A PATH with node but without udevadm, socat or chromium.
    const result = await runCli(['doctor', '--json'], { env: { PATH: '/nonexistent' } });
    const report = JSON.parse(result.stdout) as {
      serialPortWarning?: string;
      checks: Array<{ name: string; ok: boolean }>;
    };
    expect(report.serialPortWarning).toContain('udevadm not found');
    expect(report.checks.find((c) => c.name === 'socat')?.ok).toBe(false);
    expect(result.code).toBe(0);
  });
});

describe('the README commands, as printed', () => {
  it('sim-smu takes the model in any case, and characterize takes SI prefixes', async () => {
    const { startCli, stopChild } = await import('../helpers/cli');
    const { child, match } = await startCli(
      ['sim-smu', '--model', 'B2900', '--listen', '127.0.0.1:0', '--time-scale', '0'],
      /(TCPIP::[^\n]+::SOCKET)\n/,
    );
    try {
      const { mkdtempSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const db = join(mkdtempSync(join(tmpdir(), 'reram-readme-')), 'readme.db');
      // Exactly the README line (forming with a 100 µA compliance).
      const result = await runCli([
        'characterize',
        match[1]!,
        '--procedure',
        'forming',
        '--max-v',
        '5',
        '--compliance',
        '100u',
        '--db',
        db,
        '--json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const outcome = JSON.parse(result.stdout) as { status: string; summary: { formed: boolean } };
      expect(outcome).toMatchObject({ status: 'completed', summary: { formed: true } });
    } finally {
      await stopChild(child);
    }
  });
});
