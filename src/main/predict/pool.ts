/**
 * A pool of prediction workers (node:worker_threads) covering the cores: workers × ONNX Runtime
 * threads = cores. A prediction spreads its chips over the workers (see predict()'s evaluators);
 * the main thread only schedules, so the instrument and the UI stay responsive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { deserializeError, ReramError } from '../../shared/errors';
import type {
  ChipEvaluator,
  ChipOutcome,
  EvaluateHooks,
  EvaluatorOptions,
  PredictInput,
} from '../../shared/rca/predict';
import type { Device } from '../nn/ort-node';
import { workersShutDown, type FromWorker, type ToWorker } from './protocol';

/** Default split of the cores: one single-threaded worker per core, up to 8. */
export function defaultPoolSize(cores = availableParallelism()): { workers: number; threads: number } {
  const workers = Math.max(1, Math.min(8, cores));
  return { workers, threads: Math.max(1, Math.floor(cores / workers)) };
}

function workerScript(): { url: URL; entry?: string } {
  const here = import.meta.url;
  // From the sources: a bootstrap registers tsx and imports worker.ts. Bundled (dist/electron):
  // the worker is its own bundle beside main.cjs.
  if (/\.ts$/.test(new URL(here).pathname))
    return { url: new URL('./worker-bootstrap.mjs', here), entry: new URL('./worker.ts', here).href };
  return { url: new URL('./predict-worker.cjs', here) };
}

interface Pending {
  resolve(outcomes: ChipOutcome[]): void;
  reject(error: Error): void;
  onProgress?: EvaluateHooks['onProgress'];
}

class PoolWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly inits = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private nextRequest = 1;
  private closed: (() => void) | undefined;
  dead: Error | undefined;

  constructor(threads: number, device: Device) {
    const script = workerScript();
    this.worker = new Worker(script.url, { workerData: { threads, device, entry: script.entry } });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    const fail = (error: Error) => {
      this.dead = error;
      for (const p of this.pending.values()) p.reject(error);
      for (const p of this.inits.values()) p.reject(error);
      this.pending.clear();
      this.inits.clear();
    };
    this.worker.on('error', (error) =>
      fail(new ReramError('INTERNAL', `A prediction worker failed: ${error.message}`)),
    );
    this.worker.on('exit', (code) => {
      fail(new ReramError('INTERNAL', `A prediction worker stopped (exit code ${code}).`));
      this.closed?.();
    });
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.inits.get(message.jobId)?.resolve();
        this.inits.delete(message.jobId);
        return;
      case 'progress':
        this.pending.get(message.requestId)?.onProgress?.(message.evaluations, message.label);
        return;
      case 'result':
        this.pending.get(message.requestId)?.resolve(message.outcomes);
        this.pending.delete(message.requestId);
        return;
      case 'closed':
        this.closed?.();
        return;
      case 'error': {
        const error = deserializeError(message.error);
        if (message.requestId === null) {
          this.inits.get(message.jobId)?.reject(error);
          this.inits.delete(message.jobId);
        } else {
          this.pending.get(message.requestId)?.reject(error);
          this.pending.delete(message.requestId);
        }
        return;
      }
    }
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  init(jobId: number, input: PredictInput, options: EvaluatorOptions): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.inits.set(jobId, { resolve, reject });
      this.post({ type: 'init', jobId, input, options });
    });
  }

  evaluate(jobId: number, chips: readonly number[], hooks: EvaluateHooks): Promise<ChipOutcome[]> {
    if (this.dead) return Promise.reject(this.dead);
    const requestId = this.nextRequest++;
    return new Promise<ChipOutcome[]>((resolve, reject) => {
      this.pending.set(requestId, {
        resolve,
        reject,
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      });
      this.post({
        type: 'evaluate',
        jobId,
        requestId,
        chips: [...chips],
        ...(hooks.configs ? { configs: [...hooks.configs] } : {}),
      });
    });
  }

  /**
   * Stops the worker between ONNX Runtime runs: it cancels its jobs, waits for the runs in flight
   * and frees its sessions, and only then is the thread terminated. Terminating a thread inside a
   * run aborts the whole process. A worker that does not answer within `timeoutMs` (a run that
   * never ends) is terminated anyway.
   */
  async close(timeoutMs: number): Promise<void> {
    if (!this.dead) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.closed = resolve;
        timer = setTimeout(resolve, timeoutMs);
        this.post({ type: 'close' });
      });
      clearTimeout(timer);
    }
    await this.worker.terminate();
  }
}

export class PredictPool {
  private workers: PoolWorker[] = [];
  private nextJob = 1;
  private closed = false;
  readonly size: number;
  readonly threads: number;
  readonly device: Device;

  constructor(options: { workers?: number; threads?: number; device?: Device } = {}) {
    const defaults = defaultPoolSize();
    this.device = options.device ?? 'cpu';
    this.size = Math.max(1, options.workers ?? defaults.workers);
    this.threads = Math.max(
      1,
      options.threads ?? Math.max(1, Math.floor(availableParallelism() / this.size)),
    );
  }

  get description(): string {
    return `${this.device === 'cpu' ? 'CPU' : 'CUDA'}, ${this.size} worker${this.size === 1 ? '' : 's'} × ${this.threads} ONNX Runtime thread${this.threads === 1 ? '' : 's'}`;
  }

  /** Live worker threads (they start with the first prediction, or with {@link warm}). */
  get live(): number {
    return this.workers.filter((w) => !w.dead).length;
  }

  /**
   * Starts the workers now, so the first prediction does not wait for them to load (ONNX Runtime,
   * and from the sources a TypeScript loader: 1.6–2 s). Idempotent; a closed pool stays closed.
   */
  warm(): void {
    if (this.closed) return;
    this.workers = this.workers.filter((w) => !w.dead);
    while (this.workers.length < this.size) this.workers.push(new PoolWorker(this.threads, this.device));
  }

  /** One evaluator per worker for this job (each worker prepares the job once). */
  async evaluators(input: PredictInput, options: EvaluatorOptions = {}): Promise<ChipEvaluator[]> {
    if (this.closed) throw workersShutDown();
    this.warm();
    const jobId = this.nextJob++;
    const workers = [...this.workers];
    await Promise.all(workers.map((w) => w.init(jobId, input, options)));
    if (this.closed) throw workersShutDown();
    return workers.map((worker) => ({
      evaluate: async (chips, hooks = {}) => {
        // Cancel tokens are plain flags: watch them while the worker runs.
        const watch = setInterval(() => {
          if (hooks.cancel?.aborted) worker.post({ type: 'cancel', jobId });
        }, 50);
        try {
          return await worker.evaluate(jobId, chips, hooks);
        } finally {
          clearInterval(watch);
        }
      },
      release: async () => {
        if (!worker.dead) worker.post({ type: 'release', jobId });
      },
    }));
  }

  /** Stops every worker once its runs in flight end; their jobs are cancelled. */
  async close(timeoutMs = 60_000): Promise<void> {
    this.closed = true;
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.close(timeoutMs)));
  }
}
