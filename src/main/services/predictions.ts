/**
 * Predictions as jobs of the main process: started from any page, run on the worker pool while
 * the user goes elsewhere, stored with their full request and report, announced when they end.
 * One runs at a time (it has every core); the instrument keeps the main thread.
 */
import { createHash } from 'node:crypto';
import type {
  PredictionProgress,
  PredictionRecord,
  PredictionRequest,
  PredictionSummary,
} from '../../shared/api';
import { PredictionRequest as PredictionRequestSchema } from '../../shared/api';
import { CancelledError, ReramError } from '../../shared/errors';
import { datasetFromCifar10, datasetFromIdx, type Dataset } from '../../shared/nn/datasets';
import { selectTable } from '../../shared/profile/schema';
import type { MethodResult, PredictionReport } from '../../shared/rca/report';
import type { EventHub } from './events';
import { BUILTIN_MODELS, loadDataset, loadModel } from '../nn/resources';
import { PredictPool } from '../predict/pool';
import { runPrediction } from '../predict/run';
import type { Store } from '../store/store';
import type { ProfileLibrary } from './profiles';

type ParsedRequest = ReturnType<typeof PredictionRequestSchema.parse>;

/** The request as stored: uploaded files become their name, size and SHA-256. */
function storedRequest(request: ParsedRequest): Record<string, unknown> {
  const file = (name: string, ...parts: Uint8Array[]) => ({
    name,
    bytes: parts.reduce((n, p) => n + p.length, 0),
    sha256: createHash('sha256')
      .update(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))))
      .digest('hex'),
  });
  const model =
    request.model.kind === 'builtin'
      ? request.model
      : { kind: 'file', ...file(request.model.name, request.model.bytes) };
  const data =
    request.data === undefined || request.data.kind === 'builtin'
      ? request.data
      : request.data.kind === 'idx'
        ? { kind: 'idx', ...file(request.data.name, request.data.images, request.data.labels) }
        : { kind: 'cifar10', ...file(request.data.name, request.data.bytes) };
  return {
    profile: request.profile,
    table: request.table ?? null,
    model,
    data: data ?? null,
    settings: request.settings,
  };
}

interface Active {
  id: number;
  title: string;
  controller: AbortController;
  progress: PredictionProgress;
  done: Promise<void>;
}

export class PredictionService {
  private active: Active | undefined;
  private pool: PredictPool | undefined;
  private lastEmit = 0;
  private disposed = false;

  constructor(
    private readonly store: Store,
    private readonly events: EventHub,
    private readonly library: ProfileLibrary,
    private readonly poolOptions: { workers?: number; threads?: number } = {},
  ) {
    store.predictions.markInterrupted();
  }

  /** Checks everything a user can get wrong before anything runs, then starts the job. */
  start(input: PredictionRequest): { id: number } {
    if (this.active)
      throw new ReramError(
        'CONFLICT',
        `Prediction ${this.active.id} (${this.active.title}) is still running; cancel it or wait for it to finish.`,
      );
    const request = PredictionRequestSchema.parse(input);
    const profile = this.library.get(request.profile);
    const table = selectTable(profile, request.table);
    const bitsTooMany = request.settings.bits.filter((b) => 2 ** b > table.levels.length);
    if (bitsTooMany.length && request.settings.methods.some((m) => m !== 'float'))
      throw new ReramError(
        'INVALID_INPUT',
        `'${profile.name}' (table '${table.name}') has ${table.levels.length} levels: ${bitsTooMany.join(', ')} bits would need ${bitsTooMany.map((b) => 2 ** b).join(', ')}. Choose at most ${Math.floor(Math.log2(table.levels.length))} bits.`,
      );
    const model =
      request.model.kind === 'builtin'
        ? loadModel(`builtin:${request.model.id}`)
        : { name: request.model.name, bytes: request.model.bytes };
    let dataset: Dataset;
    if (!request.data || request.data.kind === 'builtin') {
      const id =
        request.data?.id ??
        (request.model.kind === 'builtin' ? BUILTIN_MODELS[request.model.id]?.data : undefined) ??
        'mnist';
      dataset = loadDataset(`builtin:${id}`);
    } else if (request.data.kind === 'idx')
      dataset = datasetFromIdx(request.data.images, request.data.labels, request.data.name);
    else dataset = datasetFromCifar10(request.data.bytes, request.data.name);

    const title = `${model.name} on ${profile.name}`;
    const id = this.store.predictions.create(
      { title, model: model.name, dataset: dataset.name, profile: profile.name, table: table.name },
      storedRequest(request),
    );
    const controller = new AbortController();
    const started = performance.now();
    const progress: PredictionProgress = {
      id,
      fraction: 0,
      message: 'starting',
      elapsedS: 0,
      remainingS: null,
      imagesPerSecond: null,
      partial: [],
    };
    const active: Active = { id, title, controller, progress, done: Promise.resolve() };
    this.active = active;
    const pool = this.workerPool();
    active.done = runPrediction(
      {
        model: model.bytes,
        modelName: model.name,
        dataset,
        table,
        profileName: profile.name,
        settings: request.settings,
      },
      {
        cancel: controller.signal,
        onProgress: (p) => {
          const elapsedS = (performance.now() - started) / 1000;
          active.progress = {
            id,
            fraction: p.fraction,
            message: p.message,
            elapsedS,
            remainingS: p.fraction > 0.02 ? (elapsedS / p.fraction) * (1 - p.fraction) : null,
            imagesPerSecond: elapsedS > 0.5 && p.images > 0 ? p.images / elapsedS : null,
            partial: p.partial,
          };
          const now = Date.now();
          if (now - this.lastEmit >= 200 || p.fraction >= 1) {
            this.lastEmit = now;
            this.events.emit('prediction.progress', active.progress);
          }
        },
      },
      { pool },
    ).then(
      (report) => this.finish(active, 'completed', { report }),
      (error: unknown) =>
        this.finish(
          active,
          error instanceof CancelledError || controller.signal.aborted ? 'cancelled' : 'failed',
          {
            error: error instanceof Error ? error.message : String(error),
            partial: active.progress.partial,
          },
        ),
    );
    return { id };
  }

  private finish(
    active: Active,
    status: 'completed' | 'cancelled' | 'failed',
    outcome: { report?: PredictionReport; error?: string; partial?: MethodResult[] },
  ): void {
    try {
      this.store.predictions.finish(active.id, status, outcome);
    } finally {
      if (this.active === active) this.active = undefined;
      this.events.emit('prediction.ended', {
        id: active.id,
        status,
        title: active.title,
        error: status === 'completed' ? null : (outcome.error ?? null),
      });
    }
  }

  /** Starts the prediction workers ahead of a prediction (the Predict page opening). */
  warm(): void {
    // After dispose a new pool would outlive the services.
    if (this.disposed) return;
    this.workerPool().warm();
  }

  /** Worker threads alive in the pool (none before the first prediction or warm-up). */
  get liveWorkers(): number {
    return this.pool?.live ?? 0;
  }

  /** The pool, made on first use: its workers start with the first prediction or warm-up. */
  private workerPool(): PredictPool {
    return (this.pool ??= new PredictPool(this.poolOptions));
  }

  cancel(id: number): void {
    if (this.active?.id !== id) throw new ReramError('NOT_FOUND', `Prediction ${id} is not running.`);
    this.active.controller.abort();
  }

  activeProgress(): PredictionProgress | null {
    return this.active?.progress ?? null;
  }

  list(limit: number): PredictionSummary[] {
    return this.store.predictions.list(limit);
  }

  get(id: number): PredictionRecord {
    return this.store.predictions.get(id);
  }

  delete(id: number): void {
    if (this.active?.id === id)
      throw new ReramError('CONFLICT', `Prediction ${id} is running; cancel it before deleting it.`);
    if (!this.store.predictions.delete(id))
      throw new ReramError('NOT_FOUND', `Prediction ${id} does not exist.`);
  }

  /** Waits for the running prediction to end (tests, shutdown). */
  async settled(): Promise<void> {
    await this.active?.done;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.active?.controller.abort();
    await this.active?.done;
    await this.pool?.close();
    this.pool = undefined;
  }
}
