import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetFromIdx } from '../../src/shared/nn/datasets';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { LocalEvaluator, predict, type PredictInput } from '../../src/shared/rca/predict';
import { nodeRuntime } from '../../src/main/nn/ort-node';
import { PredictPool } from '../../src/main/predict/pool';
import { runPrediction } from '../../src/main/predict/run';
import { REPO_ROOT } from '../helpers/cli';

const resources = join(REPO_ROOT, 'resources');
const runtime = nodeRuntime({ threads: 1 });
const dataset = datasetFromIdx(
  readFileSync(join(resources, 'data', 'fashion-test-images-idx3-ubyte')),
  readFileSync(join(resources, 'data', 'fashion-test-labels-idx1-ubyte')),
  'fashion',
);
const input = (settings: PredictInput['settings']): PredictInput => ({
  model: readFileSync(join(resources, 'models', 'lenet5-fashion.onnx')),
  modelName: 'lenet5-fashion',
  dataset,
  table: builtinProfiles('test').find((p) => p.name === 'AlOx/HfO2')!.tables[0]!,
  profileName: 'AlOx/HfO2',
  settings,
});
const accuracies = (report: Awaited<ReturnType<typeof predict>>) =>
  report.results.map((r) => [r.method, r.bits, r.accuracies]);

describe('predictions spread over a worker pool', () => {
  const pool = new PredictPool({ workers: 2, threads: 1 });
  afterAll(() => pool.close());

  it('give exactly the in-process answer (chips are the same physical chips wherever they run)', async () => {
    const settings = {
      methods: ['float', 'linear', 'mes'] as const,
      bits: [3],
      trials: 4,
      sigmaScale: 1,
      adcBits: 6,
      limit: 400,
    };
    const inProcess = await predict(runtime, input({ ...settings, methods: [...settings.methods] }));
    const pooled = await runPrediction(input({ ...settings, methods: [...settings.methods] }), {}, { pool });
    expect(pooled.runtime).toMatch(/2 workers × 1 ONNX Runtime thread/);
    expect(accuracies(pooled)).toEqual(accuracies(inProcess));
    // The workers split the configurations; the layer reports still come in configuration order.
    expect(pooled.layers.map((l) => [l.method, l.bits, l.name, l.alpha])).toEqual(
      inProcess.layers.map((l) => [l.method, l.bits, l.name, l.alpha]),
    );
  }, 120_000);

  it('at σ = 0 (one deterministic chip) the workers share the configurations and agree with one thread', async () => {
    const settings = {
      methods: ['float', 'linear', 'mes'] as const,
      bits: [2, 3],
      sigmaScale: 0,
      adcBits: 6,
      limit: 300,
    };
    const messages: string[] = [];
    const inProcess = await predict(runtime, input({ ...settings, methods: [...settings.methods] }));
    const pooled = await runPrediction(
      input({ ...settings, methods: [...settings.methods] }),
      { onProgress: (p) => messages.push(p.message) },
      { pool },
    );
    expect(accuracies(pooled)).toEqual(accuracies(inProcess));
    expect(pooled.chips.count).toBe(1);
    expect(messages.some((m) => m.includes('(2 workers)'))).toBe(true);
  }, 120_000);

  it('with read noise, split by configuration, the pool gives the one-thread answer', async () => {
    // Each configuration's session sees the chips in order wherever it runs, so even the graph's
    // own noise stream matches.
    const settings = {
      methods: ['linear' as const, 'mes' as const],
      bits: [3],
      trials: 4,
      readNoise: 0.05,
      limit: 300,
    };
    const inProcess = await predict(runtime, input(settings));
    const pooled = await runPrediction(input(settings), {}, { pool });
    expect(accuracies(pooled)).toEqual(accuracies(inProcess));
  }, 120_000);

  it('with read noise, split by chips, a given number of evaluators gives the same answer in threads or in-process', async () => {
    const settings = {
      methods: ['linear' as const],
      bits: [3],
      trials: 4,
      readNoise: 0.05,
      limit: 300,
    };
    const local = await predict(
      runtime,
      input(settings),
      {},
      {
        evaluators: [
          new LocalEvaluator(runtime, input(settings)),
          new LocalEvaluator(runtime, input(settings)),
        ],
      },
    );
    const pooled = await runPrediction(input(settings), {}, { pool });
    expect(accuracies(pooled)).toEqual(accuracies(local));
  }, 120_000);

  it('cancel stops every worker within a second', async () => {
    const controller = new AbortController();
    const started = runPrediction(
      input({ methods: ['linear', 'mes', 'mes-sigma'], bits: [2, 3, 4, 5], trials: 200, sigmaScale: 1 }),
      { cancel: controller.signal },
      { pool },
    );
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const abortedAt = Date.now();
    controller.abort();
    await expect(started).rejects.toMatchObject({ code: 'CANCELLED' });
    const took = Date.now() - abortedAt;
    console.log(`pool cancel took ${took} ms`);
    expect(took).toBeLessThan(1000);
    // The pool is usable afterwards.
    const next = await runPrediction(input({ methods: ['float'], limit: 100 }), {}, { pool });
    expect(next.results[0]!.mean).toBeGreaterThan(0.5);
  }, 120_000);

  it('warm() starts the workers before the first prediction, which runs on them; a closed pool stays closed', async () => {
    const warmed = new PredictPool({ workers: 2, threads: 1 });
    try {
      expect(warmed.live).toBe(0);
      warmed.warm();
      warmed.warm();
      expect(warmed.live).toBe(2);
      const report = await runPrediction(input({ methods: ['float'], limit: 100 }), {}, { pool: warmed });
      expect(report.results[0]!.mean).toBeGreaterThan(0.5);
      expect(warmed.live).toBe(2);
    } finally {
      await warmed.close();
    }
    warmed.warm();
    expect(warmed.live).toBe(0);
  }, 120_000);

  it('closing a pool while its workers are inside ONNX Runtime runs stops them between runs, and the process lives', async () => {
    // Terminating a worker thread inside a run aborts the whole process (an uncatchable C++
    // exception in onnxruntime-node); before close() waited for runs in flight, this loop killed
    // the test process within a few rounds. The delays vary so the close lands at different
    // points of a run.
    for (const delay of [700, 1100, 1500, 1900]) {
      const closing = new PredictPool({ workers: 2, threads: 1 });
      // Settled as it happens: the prediction ends while close() is still waiting.
      const outcome = runPrediction(
        input({ methods: ['linear', 'mes-sigma'], bits: [3, 4], trials: 200, sigmaScale: 1 }),
        {},
        { pool: closing },
      ).then(
        () => null,
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
      const closedAt = Date.now();
      await closing.close();
      expect(Date.now() - closedAt).toBeLessThan(5000);
      expect(await outcome).toMatchObject({
        code: 'CANCELLED',
        message: expect.stringMatching(/shut down/),
      });
    }
  }, 120_000);
});
