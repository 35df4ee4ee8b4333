/**
 * Exposes a TCP endpoint as a pseudo-terminal through socat, so the virtual SMU is reached over
 * a real serial device path (termios, line discipline and all). socat exits when the last client
 * closes the pty, so it is restarted; the link path stays the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReramError } from '../../shared/errors';
import { which } from '../system/which';

export interface PtyBridge {
  path: string;
  close(): Promise<void>;
}

export async function startPtyBridge(options: {
  host: string;
  port: number;
  link?: string;
  log?: (m: string) => void;
}): Promise<PtyBridge> {
  const socat = which('socat');
  if (!socat) throw new ReramError('UNSUPPORTED', '--pty needs socat (apt install socat).');
  const link = options.link ?? join(tmpdir(), `reram-sim-${process.pid}-${options.port}`);
  let child: ChildProcess | undefined;
  let closing = false;

  const launch = () => {
    if (existsSync(link)) unlinkSync(link);
    child = spawn(socat, [`pty,raw,echo=0,link=${link}`, `tcp:${options.host}:${options.port},nodelay`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => options.log?.(`socat: ${d.toString().trim()}`));
    child.on('exit', () => {
      if (!closing) setTimeout(launch, 20);
    });
  };
  launch();
  const deadline = Date.now() + 5000;
  while (!existsSync(link)) {
    if (Date.now() > deadline) throw new ReramError('INTERNAL', `socat did not create ${link}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    path: link,
    close: async () => {
      closing = true;
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (existsSync(link)) unlinkSync(link);
    },
  };
}
