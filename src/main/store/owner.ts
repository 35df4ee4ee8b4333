/** Which process owns a row that is still "running": a crashed owner is told apart from a live one. */
import { hostname } from 'node:os';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a row owned by (pid, host) belongs to a process that has stopped. */
export function ownerGone(owner: { pid: number | null; host: string | null }, self: number): boolean {
  return owner.pid === null || (owner.host === hostname() && owner.pid !== self && !processAlive(owner.pid));
}
