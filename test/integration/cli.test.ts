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
