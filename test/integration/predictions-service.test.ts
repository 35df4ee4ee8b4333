/**
 * Predictions as jobs of main, through the real dispatcher: they run while nothing watches, are
 * stored with their request and report, cancel, and a prediction whose process died reads as
 * interrupted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/shared/api-client';
import type { ApiEventName, PredictionProgress } from '../../src/shared/api';
import { createDispatcher } from '../../src/main/api/dispatcher';
import { EventHub } from '../../src/main/services/events';
import { createServices } from '../../src/main/api/services';
import { Store } from '../../src/main/store/store';
import { tempDbPath } from '../helpers/temp';

describe('predictions run in main and are stored', () => {
  const dbPath = tempDbPath();
  const events = new EventHub();
  const services = createServices({
    mode: 'browser',
    events,
    dbPath,
    predictionPool: { workers: 2, threads: 1 },
  });
  const dispatch = createDispatcher(services.handlers);
  const api = createApiClient({ invoke: dispatch, subscribe: () => () => {} }).call;
  const seen: Array<[string, unknown]> = [];
  events.subscribe((event, payload) => seen.push([event, payload]));
  const ended = (id: number) =>
    new Promise<unknown>((resolve) => {
      const off = events.subscribe((event, payload) => {
        if (event === ('prediction.ended' satisfies ApiEventName) && (payload as { id: number }).id === id) {
          off();
          resolve(payload);
        }
      });
    });
  afterAll(() => services.dispose());

  it('runs to the end with progress (time left, images/s), and the report is kept with its request', async () => {
    // As the Predict page does when it opens: the workers start before the prediction.
    expect(services.predictions.liveWorkers).toBe(0);
    expect(await api['predictions.warm']({})).toEqual({ ok: true });
    expect(services.predictions.liveWorkers).toBe(2);
    const { id } = await api['predictions.start']({
      profile: 'AlOx/HfO2',
      model: { kind: 'builtin', id: 'lenet5-fashion' },
      settings: { methods: ['float', 'linear', 'mes'], bits: [3], trials: 4, limit: 400 },
    });
    const done = ended(id);
    expect((await api['predictions.active']({}))?.id).toBe(id);
    await expect(
      api['predictions.start']({
        profile: 'AlOx/HfO2',
        model: { kind: 'builtin', id: 'lenet5' },
        settings: { methods: ['float'] },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await done).toMatchObject({ status: 'completed', error: null });
    const progress = seen.filter(([e]) => e === 'prediction.progress').map(([, p]) => p) as Array<{
      fraction: number;
      remainingS: number | null;
      imagesPerSecond: number | null;
    }>;
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)!.fraction).toBe(1);
    expect(progress.some((p) => p.imagesPerSecond !== null && p.imagesPerSecond > 100)).toBe(true);
    const record = await api['predictions.get']({ id });
    expect(record.status).toBe('completed');
    expect(record.report!.results.map((r) => r.method)).toEqual(['float', 'linear', 'mes']);
    expect(record.request).toMatchObject({
      profile: 'AlOx/HfO2',
      model: { kind: 'builtin', id: 'lenet5-fashion' },
    });
    expect(record.report!.runtime).toMatch(/2 workers/);
    const list = await api['predictions.list']({});
    expect(list[0]).toMatchObject({ id, status: 'completed', dataset: 'fashion', chips: 4 });
    expect(list[0]!.results.find((r) => r.method === 'mes')!.vsLinear).toBeDefined();
    expect(await api['predictions.active']({})).toBeNull();
  }, 120_000);

  it('refuses bit widths the table cannot hold, before running anything', async () => {
    await expect(
      api['predictions.start']({
        profile: 'EpiRAM',
        model: { kind: 'builtin', id: 'lenet5' },
        settings: { methods: ['linear', 'mes'], bits: [3, 9] },
      }),
    ).rejects.toThrow(/9 bits would need 512\. Choose at most \d bits/);
  });

  it('cancels, keeps the partial results, stores the cancellation, and deletes', async () => {
    const { id } = await api['predictions.start']({
      profile: 'AlOx/HfO2',
      model: { kind: 'builtin', id: 'lenet5-fashion' },
      settings: { methods: ['linear', 'mes', 'mes-sigma'], bits: [2, 3, 4, 5], trials: 200 },
    });
    const done = ended(id);
    // Cancelled once some results are in: they are kept.
    const withResults = new Promise<PredictionProgress>((resolve) => {
      const off = events.subscribe((event, payload) => {
        const p = payload as PredictionProgress;
        if (event !== 'prediction.progress' || p.id !== id || p.partial.length === 0) return;
        off();
        resolve(p);
      });
    });
    await withResults;
    await api['predictions.cancel']({ id });
    expect(await done).toMatchObject({ status: 'cancelled' });
    const record = await api['predictions.get']({ id });
    expect(record.status).toBe('cancelled');
    expect(record.results.length).toBeGreaterThan(0);
    expect(record.results[0]!.mean).toBeGreaterThan(0.1);
    await api['predictions.delete']({ id });
    await expect(api['predictions.get']({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 60_000);

  it('a prediction left running by a process that died reads as interrupted', () => {
    const other = new Store(tempDbPath(), { pid: 2 ** 22 + 12345 });
    const id = other.predictions.create(
      { title: 't', model: 'm', dataset: 'd', profile: 'p', table: null },
      { profile: 'p' },
    );
    other.close();
    const reopened = new Store(other.path);
    expect(reopened.predictions.markInterrupted()).toEqual([id]);
    expect(reopened.predictions.get(id).status).toBe('interrupted');
    reopened.close();
  });
});

describe('warming the prediction workers', () => {
  it('starts none once the services are disposed (a pool made then would outlive them)', async () => {
    const services = createServices({
      mode: 'browser',
      events: new EventHub(),
      dbPath: tempDbPath(),
      predictionPool: { workers: 2, threads: 1 },
    });
    const api = createApiClient({
      invoke: createDispatcher(services.handlers),
      subscribe: () => () => {},
    }).call;
    await services.dispose();
    expect(await api['predictions.warm']({})).toEqual({ ok: true });
    expect(services.predictions.liveWorkers).toBe(0);
  });
});
