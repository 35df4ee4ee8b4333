/**
 * Sweeps at scale (issue 11), each figure a ratio against a reference measured in the same run:
 * - LeNet-5, 100 chips × {linear, MES} × 4 bit widths with an 8-bit ADC on the 1,996 test digits:
 *   simulated images/s against float inference images/s (one ORT session, the same threads);
 * - where one chip's time goes (the batched graph, drawing, calibration) against a float pass, in
 *   one thread;
 * - the per-chip overhead (drawing cells, feeding them, calibrating the ADC) beyond inference, for
 *   LeNet-5 and the VGG-16-style network;
 * - 2 workers against 1 on the same prediction;
 * - a prediction started through the app's API (main's prediction service) against the same
 *   prediction called directly.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDispatcher } from '../src/main/api/dispatcher';
import { EventHub } from '../src/main/services/events';
import { createServices } from '../src/main/api/services';
import { nodeRuntime } from '../src/main/nn/ort-node';
import { loadDataset } from '../src/main/nn/resources';
import { resourcesDir } from '../src/main/paths';
import { PredictPool } from '../src/main/predict/pool';
import { runPrediction } from '../src/main/predict/run';
import { selectLevels } from '../src/shared/levels/level-table';
import { evaluateCorrect, evaluateCorrectPerChip } from '../src/shared/nn/evaluate';
import { encodeModel } from '../src/shared/nn/onnx';
import { builtinProfiles } from '../src/shared/profile/builtin';
import { measureChipRanges, measureRanges } from '../src/shared/rca/calibrate';
import { prepareModel, type PredictInput } from '../src/shared/rca/predict';
import { converterTensors, crossbarGraph, drawChip, planCrossbar } from '../src/shared/rca/transform';
import { NormalMemo } from '../src/shared/random';
import { batchedCrossbarGraph, foldAdcSteps, stackChips } from '../src/shared/rca/batched';
import { mesCrossbar } from '../test/helpers/crossbar-options';
import { tempDbPath } from '../test/helpers/temp';
import { testPython } from '../scripts/system-prereqs.mjs';
import { batchedSpeedups, CHIPS_PER_CALL, feedsOf } from '../src/shared/rca/evaluator';
import { fmt, median, report } from './harness';

const table = builtinProfiles('bench').find((p) => p.name === 'AlOx/HfO2')!.tables[0]!;

function input(model: string, data: string, settings: PredictInput['settings']): PredictInput {
  return {
    model: readFileSync(join(resourcesDir(), 'models', model)),
    modelName: model,
    dataset: loadDataset(data),
    table,
    profileName: 'AlOx/HfO2',
    settings,
  };
}

/** Per chip: everything but inference on the test set, in ms (median over 15 chips after a first). */
async function perChipOverhead(
  model: string,
  data: string,
  limit: number,
): Promise<{ overhead: number; inference: number }> {
  const runtime = nodeRuntime({ threads: 1 });
  const dataset = loadDataset(data);
  const evaluation = { ...dataset, count: Math.min(limit, dataset.count) };
  const calibration = { ...dataset, count: 100 };
  const base = prepareModel(readFileSync(join(resourcesDir(), 'models', model)), model);
  const plan = planCrossbar(base, mesCrossbar(selectLevels(table, 4), { adcBits: 8 }));
  const graph = crossbarGraph(plan, { converters: true, noiseSeed: 1 });
  const probe = crossbarGraph(plan, { converters: false, taps: true, noiseSeed: 2 });
  const session = await runtime.createSession(encodeModel(graph.model));
  const probeSession = await runtime.createSession(encodeModel(probe.model));
  const overheads: number[] = [];
  const inferences: number[] = [];
  for (let chip = 0; chip < 16; chip++) {
    const t0 = performance.now();
    const cells = drawChip(plan, chip + 11);
    const feeds = feedsOf(runtime, cells);
    const ranges = await measureRanges(runtime, probeSession, probe.taps, 128, calibration, { feeds });
    Object.assign(feeds, feedsOf(runtime, converterTensors(plan, ranges)));
    const t1 = performance.now();
    await evaluateCorrect(runtime, session, evaluation, { feeds, inputName: session.inputNames[0]! });
    const t2 = performance.now();
    if (chip > 0) {
      overheads.push(t1 - t0);
      inferences.push(t2 - t1);
    }
  }
  await session.release?.();
  await probeSession.release?.();
  return { overhead: median(overheads), inference: median(inferences) };
}

let pythonFailure = '';

/** The peer figure: PyTorch's float LeNet-5 over the same digits (bench/pytorch_float.py). */
function pytorchFloatPass(
  images: number,
): { torch: string; oneThreadMs: number; allCoresMs: number; cores: number } | undefined {
  const python = testPython();
  const result = spawnSync(python, [join(import.meta.dirname, 'pytorch_float.py'), String(images)], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) {
    pythonFailure = `${python} with torch (python3-torch) did not run: ${(result.stderr || String(result.error ?? '')).trim().split('\n').at(-1)}`;
    return undefined;
  }
  return JSON.parse(result.stdout) as {
    torch: string;
    oneThreadMs: number;
    allCoresMs: number;
    cores: number;
  };
}

export async function benchSweep(): Promise<void> {
  const cores = availableParallelism();
  const floatReference = await sweepVsFloat(cores);
  await oneMoreChip(cores, floatReference);
  await chipBudget();
  await perChipOverheads();
  await workers(cores);
  await theApp(cores);
}

interface FloatReference {
  images: number;
  floatRate: number;
  peer: ReturnType<typeof pytorchFloatPass>;
  peerMs: number | undefined;
}

/** 1. Simulated images/s against float (ONNX Runtime, all threads) and against PyTorch. */
async function sweepVsFloat(cores: number): Promise<FloatReference> {
  const runtime = nodeRuntime({ threads: cores });
  const mnist = loadDataset('builtin:mnist');
  const lenet = readFileSync(join(resourcesDir(), 'models', 'lenet5-mnist.onnx'));
  const float = await runtime.createSession(lenet);
  await evaluateCorrect(runtime, float, mnist);
  // The same model on one thread, interleaved with the reference: how much its threads gained in
  // this run, which moves the ratio from run to run on a shared machine.
  const oneThread = nodeRuntime({ threads: 1 });
  const floatOneThread = await oneThread.createSession(lenet);
  await evaluateCorrect(oneThread, floatOneThread, mnist);
  // Float passes before and after the sweeps, so a slow spell of a shared machine during either
  // does not decide the ratio alone.
  const floatTimes: number[] = [];
  const oneThreadTimes: number[] = [];
  const floatPasses = async () => {
    for (let k = 0; k < 5; k++) {
      let start = performance.now();
      await evaluateCorrect(runtime, float, mnist);
      floatTimes.push((performance.now() - start) / 1000);
      start = performance.now();
      await evaluateCorrect(oneThread, floatOneThread, mnist);
      oneThreadTimes.push((performance.now() - start) / 1000);
    }
  };
  await floatPasses();
  const peer = pytorchFloatPass(mnist.count);
  const peerMs = peer ? Math.min(peer.oneThreadMs, peer.allCoresMs) : undefined;
  const sweepSettings = {
    methods: ['linear', 'mes'] as Array<'linear' | 'mes'>,
    bits: [2, 3, 4, 5],
    trials: 100,
    adcBits: 8,
  };
  // The sweep twice on the same cores: in this thread with every core as ORT intra-op threads, and
  // as the CLI and the app run it by default (one single-threaded worker per core, chips spread).
  const timeSweep = async (options: Parameters<typeof runPrediction>[2], trials = sweepSettings.trials) => {
    const started = performance.now();
    const result = await runPrediction(
      input('lenet5-mnist.onnx', 'builtin:mnist', { ...sweepSettings, trials }),
      {},
      options,
    );
    const seconds = (performance.now() - started) / 1000;
    const evaluations = result.results.reduce((n, r) => n + r.accuracies.length, 0);
    return { seconds, evaluations, rate: (evaluations * mnist.count) / seconds, chips: result.chips.count };
  };
  const inThread = await timeSweep({ threads: cores });
  const defaultPool = new PredictPool({ workers: cores, threads: 1 });
  const [startUp, pooled, oneChipPerCall] = await (async () => {
    try {
      // The pool's workers start with its first prediction (as in the app and the CLI); like the
      // float session's creation, that is not part of the rate, and is shown on its own.
      const first = await timeSweep({ pool: defaultPool }, 2);
      const again = await timeSweep({ pool: defaultPool }, 2);
      return [
        first.seconds - again.seconds,
        await timeSweep({ pool: defaultPool }),
        await timeSweep({ pool: defaultPool, chipsPerCall: 1 }),
      ] as const;
    } finally {
      await defaultPool.close();
    }
  })();
  await floatPasses();
  const floatRate = mnist.count / median(floatTimes);
  report(
    `LeNet-5: ${inThread.chips} chips × {linear, MES} × 4 bit widths, 8-bit ADC, ${mnist.count} digits (${runtime.description})`,
    [
      [
        'float inference, one session',
        `${fmt(floatRate)} images/s (median of 10 passes, 5 before the sweeps and 5 after)`,
      ],
      [
        '  the same model on one thread',
        `${fmt(mnist.count / median(oneThreadTimes))} images/s (interleaved): the reference's ${cores} threads are ${(median(oneThreadTimes) / median(floatTimes)).toFixed(2)}× as fast`,
      ],
      [
        `the sweep, in one thread (${cores} intra-op threads)`,
        `${fmt(inThread.rate)} images/s (${inThread.evaluations} chip evaluations in ${fmt(inThread.seconds)} s), ratio ${(inThread.rate / floatRate).toFixed(3)}`,
      ],
      [
        `the sweep, default (${cores} workers × 1 thread)`,
        `${fmt(pooled.rate)} images/s (${pooled.evaluations} chip evaluations in ${fmt(pooled.seconds)} s)`,
      ],
      [
        '  not counted: the workers starting, on the pool’s first prediction',
        `${fmt(startUp)} s (a 2-chip sweep on the fresh pool, less the same again)`,
      ],
      [
        `the same, one chip per graph call (as before issue 22)`,
        `${fmt(oneChipPerCall.rate)} images/s (${fmt(oneChipPerCall.seconds)} s): ${CHIPS_PER_CALL} per call is ${(pooled.rate / oneChipPerCall.rate).toFixed(2)}× faster`,
      ],
      [
        'the sweep vs PyTorch float images/s (the peer)',
        peerMs !== undefined
          ? `${(pooled.rate / ((1000 * mnist.count) / peerMs)).toFixed(3)} (PyTorch ${fmt((1000 * mnist.count) / peerMs)} images/s)`
          : `not measured: ${pythonFailure}`,
      ],
    ],
    {
      ratio: pooled.rate / floatRate,
      target: 'sweep vs ONNX Runtime float images/s ≥ 1 (issue 22)',
      pass: pooled.rate / floatRate >= 1,
    },
  );

  return { images: mnist.count, floatRate, peer, peerMs };
}

/** 1b. One more chip, from outside: the default pool on 16 and on 48 chips of one configuration. */
async function oneMoreChip(
  cores: number,
  { images, floatRate, peer, peerMs }: FloatReference,
): Promise<void> {
  const chipSettings = { methods: ['mes'] as Array<'mes'>, bits: [4], adcBits: 8 };
  const marginalPool = new PredictPool({ workers: cores, threads: 1 });
  const timeChips = async (trials: number, chipsPerCall?: number) => {
    const started = performance.now();
    await runPrediction(
      input('lenet5-mnist.onnx', 'builtin:mnist', { ...chipSettings, trials }),
      {},
      { pool: marginalPool, chipsPerCall },
    );
    return performance.now() - started;
  };
  // Interleaved, so a slow spell of a shared machine hits both alike.
  const marginal = { batched: 0, single: 0 };
  try {
    await timeChips(4);
    for (let repeat = 0; repeat < 2; repeat++) {
      marginal.batched += ((await timeChips(48)) - (await timeChips(16))) / 32 / 2;
      marginal.single += ((await timeChips(48, 1)) - (await timeChips(16, 1))) / 32 / 2;
    }
  } finally {
    await marginalPool.close();
  }
  const marginalMs = marginal.batched;
  const ortPassMs = (1000 * images) / floatRate;
  report(
    `One more chip: LeNet-5, MES 4-bit, 8-bit ADC, ${images} digits, default pool (${cores} workers × 1 thread, ${CHIPS_PER_CALL} chips per graph call)`,
    [
      ['one more chip (48 chips − 16 chips, / 32)', `${fmt(marginalMs)} ms`],
      ['the same, one chip per graph call (as before issue 22)', `${fmt(marginal.single)} ms`],
      [
        'PyTorch float pass over the same digits',
        peer
          ? `${fmt(peerMs!)} ms (torch ${peer.torch}, the faster of 1 thread ${fmt(peer.oneThreadMs)} ms and ${peer.cores} threads ${fmt(peer.allCoresMs)} ms)`
          : `not measured: ${pythonFailure}`,
      ],
      ['ONNX Runtime float pass (one session, all cores)', `${fmt(ortPassMs)} ms`],
      ['one more chip vs ONNX Runtime float', `${(marginalMs / ortPassMs).toFixed(3)}`],
    ],
    peerMs !== undefined
      ? {
          ratio: marginalMs / peerMs,
          target: 'one more chip vs a PyTorch float pass ≤ 0.5',
          pass: marginalMs / peerMs <= 0.5,
        }
      : undefined,
  );
}

/**
 * 1c. Where one chip's time goes in the sweep, in one thread, each part interleaved with the float
 * pass it is compared to: the batched graph's inference per chip (K = 8), the drawing of the
 * chip's cells, and its share of the calibration probe. Were a second core to speed both sides up
 * alike, the sweep would reach the float rate only with their sum below one float pass; it
 * reaches it otherwise when 2 workers scale better than the float session's 2 threads.
 */
async function chipBudget(): Promise<void> {
  const K = CHIPS_PER_CALL;
  const runtime = nodeRuntime({ threads: 1 });
  const bytes = readFileSync(join(resourcesDir(), 'models', 'lenet5-mnist.onnx'));
  const mnist = loadDataset('builtin:mnist');
  const calibration = { ...mnist, count: 100 };
  const float = await runtime.createSession(bytes);
  const plan = planCrossbar(
    prepareModel(bytes, 'lenet5-mnist.onnx'),
    mesCrossbar(selectLevels(table, 4), { adcBits: 8 }),
    { wholeTiles: true },
  );
  const speedups = await batchedSpeedups(runtime);
  const main = batchedCrossbarGraph(plan, { converters: true, noiseSeed: 1 }, K, speedups);
  const probe = batchedCrossbarGraph(plan, { converters: false, taps: true, noiseSeed: 2 }, K, speedups);
  const mainSession = await runtime.createSession(encodeModel(main.model));
  const probeSession = await runtime.createSession(encodeModel(probe.model));
  // Another configuration of the sweep draws the same chips (common random numbers): with the
  // evaluator's memo, it reuses their deviates instead of drawing them again.
  const other = planCrossbar(
    prepareModel(bytes, 'lenet5-mnist.onnx'),
    mesCrossbar(selectLevels(table, 3), { adcBits: 8, method: 'linear' }),
    { wholeTiles: true },
  );
  const times = {
    float: [] as number[],
    draw: [] as number[],
    drawAgain: [] as number[],
    probe: [] as number[],
    graph: [] as number[],
  };
  const timed = async <T>(into: number[], per: number, work: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    const result = await work();
    into.push((performance.now() - start) / per);
    return result;
  };
  for (let repeat = 0; repeat < 12; repeat++) {
    await timed(times.float, 1, () => evaluateCorrect(runtime, float, mnist));
    const memo = new NormalMemo();
    const cells = await timed(times.draw, K, () =>
      Array.from({ length: K }, (_, k) => drawChip(plan, 100 * repeat + k, memo)),
    );
    await timed(times.drawAgain, K, () =>
      Array.from({ length: K }, (_, k) => drawChip(other, 100 * repeat + k, memo)),
    );
    const ranges = await timed(times.probe, K, () =>
      measureChipRanges(runtime, probeSession, probe, 128, calibration, {
        feeds: feedsOf(runtime, stackChips(probe, cells)),
      }),
    );
    const folded = cells.map((c, k) => foldAdcSteps(plan, c, converterTensors(plan, ranges[k]!)));
    const feeds = feedsOf(runtime, stackChips(main, folded));
    await timed(times.graph, K, () =>
      evaluateCorrectPerChip(runtime, mainSession, mnist, K, {
        feeds,
        inputName: mainSession.inputNames[0]!,
      }),
    );
  }
  for (const session of [float, mainSession, probeSession]) await session.release?.();
  // The first two rounds warm the sessions up.
  const ms = (values: number[]) => median(values.slice(2));
  const floatMs = ms(times.float);
  const part = (label: string, values: number[]): [string, string] => [
    label,
    `${fmt(ms(values))} ms (${(ms(values) / floatMs).toFixed(2)} of a float pass)`,
  ];
  const sum = ms(times.graph) + ms(times.draw) + ms(times.probe);
  // The default pool gives each of 2 workers 4 of the sweep's 8 configurations: one draws, 3 reuse.
  const inSweep = ms(times.graph) + (ms(times.draw) + 3 * ms(times.drawAgain)) / 4 + ms(times.probe);
  report(
    `Where a chip's time goes: LeNet-5, MES 4-bit, 8-bit ADC, ${K} chips per graph call, one thread, against a one-thread float pass over the same ${mnist.count} digits`,
    [
      ['float pass (ONNX Runtime, the model as trained)', `${fmt(floatMs)} ms`],
      part('the batched graph, per chip (inference only)', times.graph),
      part('drawing the chip (cells, normal deviates)', times.draw),
      part('calibrating its ADC (100 images through the probe)', times.probe),
      part('drawing it for another configuration (its deviates remembered)', times.drawAgain),
      [
        'together',
        `${fmt(sum)} ms (${(sum / floatMs).toFixed(2)} of a float pass; above 1, a chip takes longer on one core than a float pass)`,
      ],
      [
        '  in the sweep (a worker’s 4 configurations draw each chip once)',
        `${fmt(inSweep)} ms (${(inSweep / floatMs).toFixed(2)} of a float pass)`,
      ],
    ],
  );
}

/** 2. Per-chip overhead beyond inference. */
async function perChipOverheads(): Promise<void> {
  const lenet = await perChipOverhead('lenet5-mnist.onnx', 'builtin:mnist', 1996);
  const vgg = await perChipOverhead('vgg16-style-32.onnx', 'builtin:fashion32', 2000);
  report(
    'Per chip and configuration (MES 4-bit, 8-bit ADC, 100 calibration images): work beyond test-set inference',
    [
      [
        'LeNet-5',
        `${fmt(lenet.overhead)} ms (target ≤ 10 ms: ${lenet.overhead <= 10 ? 'met' : 'NOT met'}) beside ${fmt(lenet.inference)} ms of inference`,
      ],
      [
        'VGG-16-style',
        `${fmt(vgg.overhead)} ms (target ≤ 100 ms: ${vgg.overhead <= 100 ? 'met' : 'NOT met'}) beside ${fmt(vgg.inference)} ms of inference`,
      ],
    ],
  );
}

/** 3. Workers: the same prediction on 1 and on 2 single-threaded workers. */
async function workers(cores: number): Promise<void> {
  const workerSettings = {
    methods: ['linear', 'mes'] as Array<'linear' | 'mes'>,
    bits: [3, 4],
    trials: 24,
    sigmaScale: 1,
  };
  const pools = [new PredictPool({ workers: 1, threads: 1 }), new PredictPool({ workers: 2, threads: 1 })];
  const times: [number[], number[]] = [[], []];
  try {
    for (const pool of pools)
      await runPrediction(
        input('lenet5-fashion.onnx', 'builtin:fashion', { ...workerSettings, trials: 2 }),
        {},
        { pool },
      );
    // Interleaved, 3 times each, so a slow spell of a shared machine hits both alike; the model and
    // data are read once, before the clock starts.
    const workload = input('lenet5-fashion.onnx', 'builtin:fashion', workerSettings);
    for (let repeat = 0; repeat < 3; repeat++)
      for (const [k, pool] of pools.entries()) {
        const start = performance.now();
        await runPrediction(workload, {}, { pool });
        times[k]!.push((performance.now() - start) / 1000);
      }
  } finally {
    for (const pool of pools) await pool.close();
  }
  const one = median(times[0]);
  const two = median(times[1]);
  report(
    `Workers: LeNet-5 Fashion, 24 chips × {linear, MES} × 2 bit widths, σ × 1, single-threaded workers, ${cores} cores`,
    [
      ['1 worker', `${fmt(one)} s (median of 3, interleaved with 2 workers)`],
      ['2 workers', `${fmt(two)} s (median of 3)`],
    ],
    { ratio: one / two, target: '2 workers vs 1 ≥ 1.7×', pass: one / two >= 1.7 },
  );
}

/** 4. The app's path: main's prediction service through the API, against the direct call. */
async function theApp(cores: number): Promise<void> {
  const events = new EventHub();
  const services = createServices({
    mode: 'browser',
    events,
    dbPath: tempDbPath(),
    predictionPool: { workers: cores, threads: 1 },
  });
  const dispatch = createDispatcher(services.handlers);
  const settings = { methods: ['float'] as Array<'float'>, trials: 1 };
  const viaApp = async () => {
    const done = new Promise<void>((resolve) => {
      const unsubscribe = events.subscribe((event) => {
        if (event !== 'prediction.ended') return;
        unsubscribe();
        resolve();
      });
    });
    const start = performance.now();
    const reply = await dispatch('predictions.start', {
      profile: 'AlOx/HfO2',
      model: { kind: 'builtin', id: 'lenet5' },
      settings,
    });
    if (!reply.ok) throw new Error(reply.error.message);
    await done;
    return (performance.now() - start) / 1000;
  };
  const pool = new PredictPool({ workers: cores, threads: 1 });
  // As the app does, the direct call reads the model and the data for each prediction.
  const direct = async () => {
    const start = performance.now();
    await runPrediction(input('lenet5-mnist.onnx', 'builtin:mnist', settings), {}, { pool });
    return (performance.now() - start) / 1000;
  };
  const appTimes: number[] = [];
  const directTimes: number[] = [];
  try {
    await viaApp();
    await direct();
    // Interleaved, so a slow spell of a shared machine hits both alike.
    for (let repeat = 0; repeat < 5; repeat++) {
      appTimes.push(await viaApp());
      directTimes.push(await direct());
    }
  } finally {
    await services.dispose();
    await pool.close();
  }
  const digits = loadDataset('builtin:mnist').count;
  const appRate = digits / median(appTimes);
  const directRate = digits / median(directTimes);
  report(
    'The app: a float LeNet-5 prediction started through the API (main’s worker pool) vs the same call made directly',
    [
      ['through the app’s API', `${fmt(appRate)} images/s (start to stored report; median of 5)`],
      ['called directly', `${fmt(directRate)} images/s (median of 5, interleaved with the app)`],
    ],
    {
      ratio: appRate / directRate,
      target: 'app vs onnxruntime-node ≥ 0.5',
      pass: appRate / directRate >= 0.5,
    },
  );
}
