/** Streams a run's points into the store as they arrive (group commit, retried while locked). */
import { ReramError } from '../../shared/errors';
import type { Point, RunStatus } from '../../shared/run';
import type { Store } from './store';

export const DEFAULT_BATCH_SIZE = 4096;

/**
 * Commits streamed points as they arrive: every point handed over in one turn of the event loop
 * is committed together right after that turn (group commit), so a crash loses at most the
 * points still in flight, and a burst (a list sweep's readings) costs one transaction.
 *
 * If another program holds the database's write lock, points are kept in memory (bounded) and
 * the commit is retried with backoff; nothing is lost while this process lives, and no error
 * escapes from a timer.
 */
export class RunWriter {
  private buffer: Point[] = [];
  private scheduled = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private closed = false;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  /** Points committed so far. */
  written = 0;

  constructor(
    private readonly store: Store,
    readonly runId: number,
    private readonly options: {
      /** Most points in one transaction (also the synchronous flush threshold). */
      batchSize?: number;
      /** Points held in memory while the database is locked before the run must stop. */
      maxBuffered?: number;
      onFlush?: (written: number) => void;
      /** The database could not take the points yet (locked, disk full): they are kept and retried. */
      onDelay?: (message: string, held: number) => void;
    } = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxBuffered = options.maxBuffered ?? 2_000_000;
  }

  get pending(): number {
    return this.buffer.length;
  }

  add(point: Point): void {
    if (this.closed) throw new ReramError('INTERNAL', `Run ${this.runId} is already finished.`);
    if (this.buffer.length >= this.maxBuffered)
      throw new ReramError(
        'INTERNAL',
        `The database has not accepted points for too long (${this.buffer.length} held in memory): another program holds it locked, or the disk is full. Stopping the run; the held points are still being retried.`,
      );
    this.buffer.push(point);
    if (this.buffer.length >= this.batchSize && !this.retryTimer) this.tryFlush();
    else this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tryFlush();
    });
  }

  /** Commits what is buffered; on failure keeps it and retries later. Never throws. */
  private tryFlush(): boolean {
    try {
      this.commit();
      this.failures = 0;
      return true;
    } catch (error) {
      this.failures++;
      const delay = Math.min(1000, 10 * 2 ** Math.min(this.failures, 7));
      if (this.failures === 1 || this.failures % 20 === 0)
        this.options.onDelay?.(
          `${describeStoreError(error)}; ${this.buffer.length} points held, retrying`,
          this.buffer.length,
        );
      if (!this.retryTimer && !this.closed) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (this.tryFlush() && this.buffer.length > 0) this.schedule();
        }, delay);
        this.retryTimer.unref?.();
      }
      return false;
    }
  }

  private commit(): void {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.batchSize);
      this.store.runs.appendPoints(this.runId, batch, { writer: true });
      this.buffer.splice(0, batch.length);
      this.written += batch.length;
      this.options.onFlush?.(this.written);
    }
  }

  /** Commits everything still held (retrying while the database is locked, up to `timeoutMs`), then closes the run. */
  async finish(status: Exclude<RunStatus, 'running'>, error?: string, timeoutMs = 60_000): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        this.commit();
        this.store.runs.finishRun(this.runId, status, error);
        return;
      } catch (failure) {
        if (Date.now() > deadline)
          throw new ReramError(
            'INTERNAL',
            `Could not store the last ${this.buffer.length} points of run ${this.runId}: ${describeStoreError(failure)}.`,
          );
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 10 * 2 ** Math.min(attempt, 7))));
      }
    }
  }
}

function describeStoreError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'the database is locked by another program';
  if (code === 'SQLITE_FULL') return 'the disk is full';
  return (error as Error).message;
}
