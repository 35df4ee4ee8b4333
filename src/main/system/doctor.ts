import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { listSerialPorts, type SerialPortEntry } from '../instrument/transport/ports';
import { appRoot, appVersion } from '../paths';
import { which } from './which';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** Required checks fail the command; optional ones are informational. */
  required: boolean;
}

export interface DoctorReport {
  appVersion: string;
  node: { version: string; platform: string; arch: string };
  electron: { installed: boolean; version?: string; binary?: string; detail: string };
  checks: DoctorCheck[];
  serialPorts: SerialPortEntry[];
  serialPortWarning?: string;
  ok: boolean;
}

const require = createRequire(import.meta.url);

function electronStatus(): DoctorReport['electron'] {
  const pkgDir = join(appRoot(), 'node_modules', 'electron');
  if (!existsSync(join(pkgDir, 'package.json'))) {
    return { installed: false, detail: 'the electron package is not installed (run npm ci)' };
  }
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const pathFile = join(pkgDir, 'path.txt');
  const binary = existsSync(pathFile)
    ? join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim())
    : undefined;
  if (!binary || !existsSync(binary)) {
    return {
      installed: false,
      version,
      detail:
        'types only: the Electron binary was not downloaded (npm run electron:fetch); npm start uses browser mode',
    };
  }
  return { installed: true, version, binary, detail: `binary at ${binary}` };
}

async function checkNative(name: string, probe: () => Promise<string> | string): Promise<DoctorCheck> {
  try {
    return { name, ok: true, detail: await probe(), required: true };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: (error as Error).message.split('\n')[0] ?? 'failed to load',
      required: true,
    };
  }
}

export async function runDoctor(): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  checks.push(
    await checkNative('better-sqlite3', () => {
      const Database = require('better-sqlite3') as typeof BetterSqlite3;
      const db = new Database(':memory:');
      const version = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
      db.close();
      return `loads, SQLite ${version}`;
    }),
  );
  checks.push(
    await checkNative('serialport', () => {
      require('@serialport/bindings-cpp');
      return 'native binding loads';
    }),
  );
  checks.push(
    await checkNative('onnxruntime-node', async () => {
      const ort = await import('onnxruntime-node');
      return `loads, ONNX Runtime ${ort.env.versions.node ?? ort.env.versions.common}`;
    }),
  );
  for (const tool of [
    { name: 'socat', why: 'virtual SMU on a pty and the serial end-to-end tests (apt install socat)' },
    { name: 'chromium', why: 'browser tests (apt install chromium)' },
    { name: 'udevadm', why: 'serial port details (apt install udev)' },
  ]) {
    const path = which(tool.name);
    checks.push({
      name: tool.name,
      ok: Boolean(path),
      detail: path ?? `not found: needed for ${tool.why}`,
      required: false,
    });
  }
  const serial = await listSerialPorts();
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  checks.unshift({
    name: 'node',
    ok: nodeMajor >= 20,
    detail: `Node ${process.versions.node}`,
    required: true,
  });
  return {
    appVersion: appVersion(),
    node: { version: process.versions.node, platform: process.platform, arch: process.arch },
    electron: electronStatus(),
    checks,
    serialPorts: serial.ports,
    ...(serial.warning ? { serialPortWarning: serial.warning } : {}),
    ok: checks.every((check) => check.ok || !check.required),
  };
}
