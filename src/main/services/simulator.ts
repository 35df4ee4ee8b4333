/** The virtual SMU as a child process (`reram-bench sim-smu`), started and stopped by the app. */
import { spawn, type ChildProcess } from 'node:child_process';
import { ReramError } from '../../shared/errors';
import { cliCommand } from '../paths';
import { which } from '../system/which';

export interface SimulatorOptions {
  model: string;
  preset: string;
  cells: number;
  seed: number;
  timeScale: number;
  /** Median SET/RESET cycles to a 50 % window; undefined: the simulator's default. */
  endurance?: number;
  /** Median retention drift ν; undefined or 0: none. */
  drift?: number;
}

/**
 * The 2400 is an RS-232 instrument: its virtual twin is reached over a pseudo-terminal (socat),
 * so the app rehearses the serial path a real 2400 has (CR terminators, ^C device clear), not a
 * LAN socket it does not have. Without socat it falls back to TCP, and says so.
 */
export function simulatorLink(model: string): 'serial' | 'tcp' {
  return model === '2400' && which('socat') ? 'serial' : 'tcp';
}

export interface Simulator {
  /** What the app connects to: the pty (2400) or the TCP socket. */
  resource: string;
  /** Its TCP socket, always there (a second client, such as a test, can ask it the truth). */
  tcpResource: string;
  options: SimulatorOptions;
  stop(): Promise<void>;
  onExit(listener: (code: number | null) => void): void;
}

export async function startSimulator(
  options: SimulatorOptions,
  log: (line: string) => void = () => {},
): Promise<Simulator> {
  const cli = cliCommand();
  const serial = simulatorLink(options.model) === 'serial';
  if (options.model === '2400' && !serial)
    log('socat is not installed: the virtual 2400 is reached over TCP instead of its RS-232 (pty) path');
  const child: ChildProcess = spawn(
    cli.command,
    [
      ...cli.args,
      'sim-smu',
      '--listen',
      '127.0.0.1:0',
      '--model',
      options.model,
      '--preset',
      options.preset,
      '--cells',
      String(options.cells),
      '--seed',
      String(options.seed),
      '--time-scale',
      String(options.timeScale),
      ...(serial ? ['--pty'] : []),
      ...(options.endurance !== undefined ? ['--endurance', String(options.endurance)] : []),
      ...(options.drift ? ['--drift', String(options.drift)] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...cli.env } },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const line of d.toString().split('\n')) if (line.trim()) log(line.trim());
  });
  let tcpResource = '';
  const resource = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new ReramError('INTERNAL', `The virtual SMU did not start within 20 s.\n${stderr}`)),
      20_000,
    );
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      tcpResource = /TCPIP::[^\s]+::SOCKET/.exec(stdout)?.[0] ?? '';
      const match = serial ? /ASRL[^\s]+::INSTR/.exec(stdout) : /TCPIP::[^\s]+::SOCKET/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new ReramError(
          'INTERNAL',
          `The virtual SMU exited (code ${code}): ${stderr.trim().split('\n').pop() ?? ''}`,
        ),
      );
    });
  });
  return {
    resource,
    tcpResource,
    options,
    onExit: (listener) => child.on('exit', listener),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
