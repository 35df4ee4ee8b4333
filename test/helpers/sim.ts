import { Socket } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { findPreset } from '../../src/shared/levels/presets';
import { Die } from '../../src/main/virtual-smu/die';
import type { SmuModelId } from '../../src/main/instrument/models/registry';
import { startSimServer, type SimServer } from '../../src/main/virtual-smu/server';
import { startCli, stopChild } from './cli';

export interface SimOptions {
  model?: SmuModelId;
  preset?: string;
  cells?: number;
  seed?: number;
  noiseScale?: number;
  d2dScale?: number;
  enduranceCycles?: number;
  driftNu?: number;
  timeScale?: number;
  trace?: (connection: number, line: string) => void;
}

/** The virtual SMU in this process, on a free loopback port. */
export function startSim(options: SimOptions = {}): Promise<SimServer> {
  const preset = findPreset(options.preset ?? 'AlOx/HfO2')!;
  const die = new Die({
    preset,
    cells: options.cells ?? 4,
    seed: options.seed ?? 1,
    noiseScale: options.noiseScale ?? 1,
    d2dScale: options.d2dScale ?? 1,
    ...(options.enduranceCycles !== undefined ? { enduranceCycles: options.enduranceCycles } : {}),
    ...(options.driftNu !== undefined ? { driftNu: options.driftNu } : {}),
  });
  return startSimServer({
    model: options.model ?? '2400',
    die,
    timeScale: options.timeScale ?? 0,
    ...(options.trace ? { trace: options.trace } : {}),
  });
}

/** The virtual SMU as its own process (`reram-bench sim-smu`), as users and the app start it. */
export async function spawnSim(args: string[]): Promise<{
  child: ChildProcess;
  tcp: string;
  port: number;
  pty?: string;
  /** With --gpib: the Prologix-style adapter's resources (TCP, then the pty with --gpib-pty). */
  gpibAdapters: string[];
  stop: () => Promise<number | null>;
}> {
  const wantsPty = args.includes('--pty');
  const adapters = (args.includes('--gpib') ? 1 : 0) + (args.includes('--gpib-pty') ? 1 : 0);
  const lines = 1 + (wantsPty ? 1 : 0) + adapters;
  const ready = new RegExp(`^((?:[^\\n]+\\n){${lines}})`);
  const { child, match } = await startCli(['sim-smu', '--listen', '127.0.0.1:0', ...args], ready);
  const printed = match[1]!.trim().split('\n');
  const tcp = printed[0]!;
  return {
    child,
    tcp,
    port: Number(tcp.split('::')[2]),
    ...(wantsPty ? { pty: printed[1]! } : {}),
    gpibAdapters: printed
      .filter((l) => l.startsWith('GPIB-ADAPTER '))
      .map((l) => l.slice('GPIB-ADAPTER '.length)),
    stop: () => stopChild(child),
  };
}

/** One SCPI exchange on a fresh TCP connection (independent of the client under test). */
export function rawQuery(
  port: number,
  commands: string[],
  /** How many replies to wait for (default: one per query; fewer where a query is refused). */
  expectedReplies?: number,
  /** What ends a message both ways (KXCI: NUL). */
  terminator = '\n',
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const replies: string[] = [];
    let buffer = '';
    const expected = expectedReplies ?? commands.filter((c) => c.includes('?')).length;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply to ${commands.join('; ')}`));
    }, 5000);
    socket.connect(port, '127.0.0.1', () => {
      for (const command of commands) socket.write(`${command}${terminator}`);
      if (expected === 0) {
        clearTimeout(timer);
        socket.end();
        resolve([]);
      }
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split(terminator);
      buffer = lines.pop()!;
      // CR/LF-terminated replies (the B1500A's) come back without the CR.
      replies.push(...lines.map((line) => line.replace(/\r$/, '')));
      if (replies.length >= expected) {
        clearTimeout(timer);
        socket.end();
        resolve(replies);
      }
    });
    socket.on('error', reject);
  });
}

export async function outputIsOn(port: number): Promise<boolean> {
  const [reply] = await rawQuery(port, [':OUTP?']);
  return reply?.trim() === '1';
}
