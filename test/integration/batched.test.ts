/**
 * Many chips per graph call (rca/batched.ts): each chip run K at a time gets the answer it gets on
 * the one-chip graph, on a chain that meets every layout (an op before the first crossbar, Conv
 * tiles that cut through channels, a strided Conv, Flatten, Gemm with transB, α and β, MatMul),
 * and on LeNet-5 through the evaluator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { blockedConvAgrees, nodeRuntime } from '../../src/main/nn/ort-node';
import { selectLevels } from '../../src/shared/levels/level-table';
import { datasetFromCifar10, datasetFromIdx, limitDataset, type Dataset } from '../../src/shared/nn/datasets';
import { encodeModel, type ModelProto } from '../../src/shared/nn/onnx';
import type { OrtRuntime } from '../../src/shared/nn/runtime';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { Rng } from '../../src/shared/random';
import {
  batchedCrossbarGraph,
  foldAdcSteps,
  stackChips,
  type BatchedSpeedups,
} from '../../src/shared/rca/batched';
import { NCHWC_DOMAIN } from '../../src/shared/rca/nchwc';
import { measureChipRanges, measureRanges } from '../../src/shared/rca/calibrate';
import { LocalEvaluator } from '../../src/shared/rca/evaluator';
import { poolFirst } from '../../src/shared/rca/pool-first';
import { prepareModel } from '../../src/shared/rca/predict';
import type { PredictInput } from '../../src/shared/rca/job';
import {
  converterTensors,
  crossbarGraph,
  drawChip,
  planCrossbar,
  type CalibrationRanges,
  crossbarOptions,
  type FlatCrossbarOptions,
  type FeedTensor,
} from '../../src/shared/rca/transform';
import { REPO_ROOT } from '../helpers/cli';
import { chainModel, pooledConvModel, wideConvModel } from '../helpers/onnx-models';

const runtime: OrtRuntime = nodeRuntime({ threads: 1 });
const alox = builtinProfiles('test').find((p) => p.name === 'AlOx/HfO2')!.tables[0]!;
const feedsOf = (tensors: readonly FeedTensor[]) =>
  Object.fromEntries(tensors.map((t) => [t.name, runtime.floatTensor(t.data, t.dims)]));

function options(overrides: Partial<FlatCrossbarOptions>): FlatCrossbarOptions {
  return {
    method: 'mes',
    scheme: 'differential',
    scale: 'mse',
    levels: selectLevels(alox, 3),
    tile: { rows: 8, cols: 2 },
    adcBits: null,
    dacBits: null,
    readNoise: 0,
    sigmaScale: 1,
    seed: 3,
    ...overrides,
  };
}

/** Seeded images (the chain's [2, 6, 6] input by default), half of them negative (the Relu before it). */
function images(count: number, shape: number[] = [2, 6, 6]): Dataset {
  const rng = new Rng(11);
  const data = new Float32Array(count * shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { name: 'noise', images: data, labels: new Uint8Array(count), count, shape };
}

async function outputs(model: ModelProto, feeds: Record<string, unknown>, data: Dataset) {
  const session = await runtime.createSession(encodeModel(model));
  const out = await session.run({
    ...feeds,
    [session.inputNames[0]!]: runtime.floatTensor(data.images, [data.count, ...data.shape]),
  });
  await session.release?.();
  return Float32Array.from(out[session.outputNames[0]!]!.data as Float32Array);
}

/** Each chip alone on the one-chip graph (with its own calibration when the ADC is on). */
async function alone(
  options: FlatCrossbarOptions,
  chips: number,
  data: Dataset,
  wholeTiles: boolean,
  model: ModelProto = chainModel(5),
) {
  const plan = planCrossbar(model, crossbarOptions(options), { wholeTiles });
  const converters = options.adcBits !== null || options.dacBits !== null;
  const graph = crossbarGraph(plan, { converters, noiseSeed: 1 });
  const probe = crossbarGraph(plan, { converters: false, taps: true, noiseSeed: 2 });
  const probeSession = await runtime.createSession(encodeModel(probe.model));
  const results: Array<{ logits: Float32Array; ranges: CalibrationRanges | undefined }> = [];
  for (let k = 0; k < chips; k++) {
    const cells = drawChip(plan, 40 + k);
    const feeds = feedsOf(cells);
    const ranges = converters
      ? await measureRanges(runtime, probeSession, probe.taps, options.tile.cols, data, { feeds })
      : undefined;
    if (ranges) Object.assign(feeds, feedsOf(converterTensors(plan, ranges)));
    results.push({ logits: await outputs(graph.model, feeds, data), ranges });
  }
  return { plan, results };
}

/** The chips K at a time: on the grouped Conv, or with the evaluator's speed-ups. */
async function together(
  options: FlatCrossbarOptions,
  chips: number,
  data: Dataset,
  wholeTiles: boolean,
  speedups: BatchedSpeedups = {},
  model: ModelProto = chainModel(5),
) {
  const plan = planCrossbar(model, crossbarOptions(options), { wholeTiles });
  const converters = options.adcBits !== null || options.dacBits !== null;
  const graph = batchedCrossbarGraph(plan, { converters, noiseSeed: 1 }, chips, speedups);
  const cells = Array.from({ length: chips }, (_, k) => drawChip(plan, 40 + k));
  let references: FeedTensor[][] = cells.map(() => []);
  let ranges: CalibrationRanges[] = [];
  let probePools: string[] = [];
  let probeChipPools = 0;
  if (converters) {
    const probe = batchedCrossbarGraph(
      plan,
      { converters: false, taps: true, noiseSeed: 2 },
      chips,
      speedups,
    );
    probePools = probe.model.graph!.node!.filter((n) => n.opType === 'MaxPool').map((n) => n.name!);
    // A layer that pools its tiles' sum is probed chip by chip too: one pool per chip.
    probeChipPools = probePools.filter((name) => /\/chip\d+\/sum_pool\//.test(name)).length;
    const session = await runtime.createSession(encodeModel(probe.model));
    ranges = await measureChipRanges(runtime, session, probe, options.tile.cols, data, {
      feeds: feedsOf(stackChips(probe, cells)),
    });
    references = ranges.map((r) => converterTensors(plan, r));
  }
  const feeds = feedsOf(
    stackChips(
      graph,
      cells.map((c, k) => foldAdcSteps(plan, c, references[k]!)),
    ),
  );
  const nodes = graph.model.graph!.node!;
  const blocked = nodes.filter((n) => n.domain === NCHWC_DOMAIN && n.opType === 'Conv').length;
  const pools = nodes.filter((n) => n.opType === 'MaxPool').map((n) => n.name!);
  const modelPools = nodes.filter((n) => n.opType === 'MaxPool' && !n.name!.startsWith('xbar/'));
  const blockedPools = modelPools.filter((n) => n.domain === NCHWC_DOMAIN).length;
  // The layers whose later pool moved onto the tiles' summed read-out, before the bias (one pool
  // per chip where the read-out runs chip by chip).
  const sumPools = new Set(
    nodes
      .filter((n) => n.opType === 'MaxPool' && n.domain === NCHWC_DOMAIN && n.name!.includes('sum_pool/'))
      .map((n) => n.name!.replace(/\/(chip\d+\/)?sum_pool\/.*$/, '')),
  ).size;
  const bypassedPools = nodes.filter((n) => n.opType === 'Identity' && !n.name!.startsWith('xbar/')).length;
  // Of those, the layers read out in the blocked layout: their pools take the sum without a reorder.
  const reordered = new Set(nodes.filter((n) => n.opType === 'ReorderInput').flatMap((n) => n.output!));
  const blockedReadOuts = new Set(
    nodes
      .filter((n) => n.opType === 'MaxPool' && n.name!.includes('sum_pool/') && !reordered.has(n.input![0]!))
      .map((n) => n.name!.replace(/\/(chip\d+\/)?sum_pool\/.*$/, '')),
  ).size;
  // Their ADCs read out through an int8 code (QuantizeLinear, DequantizeLinear), one per chip and tile.
  const codeReads = nodes.filter((n) => n.opType === 'QuantizeLinear').length;
  return {
    logits: await outputs(graph.model, feeds, data),
    ranges,
    codeReads,
    probeChipPools,
    blocked,
    pools,
    probePools,
    modelPools: modelPools.length,
    blockedPools,
    sumPools,
    blockedReadOuts,
    bypassedPools,
  };
}

/** Each chip's logits from the K-chip run against the same chip alone, to 1e-5 of its largest. */
function expectSameChips(
  single: Awaited<ReturnType<typeof alone>>,
  batched: Awaited<ReturnType<typeof together>>,
  perChip: number,
) {
  single.results.forEach(({ logits }, k) => {
    const mine = batched.logits.subarray(k * perChip, (k + 1) * perChip);
    const scale = Math.max(...logits.map(Math.abs));
    logits.forEach((v, i) => expect(Math.abs(mine[i]! - v)).toBeLessThan(1e-5 * scale));
  });
}

// This machine's ONNX Runtime has the blocked kernels (x86-64 builds do), and they pass the
// runtime's check against Conv (ort-node probeNchwc); null here would fail every test below.
const nchwc = (await runtime.nchwc!())!;

describe('many chips per graph call', () => {
  const data = images(24);
  const chips = 3;
  const perChip = 24 * 3;
  const paths: Array<[string, BatchedSpeedups]> = [
    ['the grouped Conv', {}],
    ['the blocked NCHWc kernels', { nchwc }],
  ];

  it('finds the blocked kernels, checked against ONNX’s Conv in both layouts, and their block size on this CPU', () => {
    expect([4, 8, 16]).toContain(nchwc.block);
  });

  it('the check has teeth: a graph laid out for another block size is refused or disagrees with Conv', async () => {
    expect(await blockedConvAgrees(nchwc)).toBe(true);
    const wrong = { block: nchwc.block === 16 ? 8 : 16 };
    expect(await blockedConvAgrees(wrong).catch(() => false)).toBe(false);
  });

  it.each(paths)(
    'without converters, on %s: each chip’s outputs are the ones it gives alone (tiles through channels, Gemm α β, MatMul)',
    async (_, support) => {
      const settings = options({ tile: { rows: 8, cols: 2 }, forceTiles: true });
      const single = await alone(settings, chips, data, false);
      const batched = await together(settings, chips, data, false, support);
      expect(single.plan.layers.map((l) => l.tiles.length)).toEqual([3, 4, 2, 1]);
      expect(batched.logits.length).toBe(chips * perChip);
      // Per chip and tile: 3 chips × (3 + 4) tiles of the two convolutions.
      expect(batched.blocked).toBe(support.nchwc ? chips * 7 : 0);
      expectSameChips(single, batched, perChip);
      // The chips do differ from each other (σ × 1), so a mix-up of chips would show.
      expect(single.results[0]!.logits[0]).not.toBe(single.results[1]!.logits[0]);
    },
  );

  it.each([1, 3])(
    'on the blocked kernels with %i chip(s) per call, channels in whole blocks and a shared first layer: each chip’s outputs are its own',
    async (k) => {
      const wide = images(10, [4, 6, 6]);
      const settings = options({ tile: { rows: 512, cols: 64 } });
      const single = await alone(settings, k, wide, true, wideConvModel(7));
      const batched = await together(settings, k, wide, true, { nchwc }, wideConvModel(7));
      // The shared layer is one blocked convolution; the 32-channel one is one per chip.
      expect(batched.blocked).toBe(1 + k);
      expectSameChips(single, batched, 10 * 3);
    },
  );

  it('one tile per layer for an untiled configuration gives the untiled graph’s outputs', async () => {
    const settings = options({ tile: { rows: 128, cols: 128 } });
    const single = await alone(settings, chips, data, false);
    const batched = await together(settings, chips, data, true);
    expectSameChips(single, batched, perChip);
  });

  it.each<[string, number | null, BatchedSpeedups]>([
    ['an 8-bit ADC and a 6-bit DAC', 6, {}],
    ['an 8-bit ADC on the blocked kernels', null, { nchwc }],
  ])('with %s: each chip’s calibrated ranges and read-outs are its own', async (_, dacBits, support) => {
    const settings = options({ adcBits: 8, dacBits });
    const single = await alone(settings, chips, data, false);
    const batched = await together(settings, chips, data, false, support);
    expect(batched.blocked > 0).toBe(support.nchwc !== undefined);
    for (let k = 0; k < chips; k++) {
      for (const [layer, tiles] of single.results[k]!.ranges!.adc)
        tiles.forEach((range, t) =>
          range.forEach((v, c) =>
            expect(batched.ranges[k]!.adc.get(layer)![t]![c]).toBeCloseTo(
              v,
              5 - Math.ceil(Math.log10(v + 1)),
            ),
          ),
        );
      // The one-chip probe taps every layer input; the batched one only where a DAC will use it.
      if (dacBits !== null)
        for (const [layer, range] of single.results[k]!.ranges!.dac) {
          expect(batched.ranges[k]!.dac.get(layer)!.signed).toBe(range.signed);
          expect(batched.ranges[k]!.dac.get(layer)!.max).toBeCloseTo(range.max, 5);
        }
      expect(batched.ranges[k]!.dac.size).toBe(dacBits === null ? 0 : 4);
      const mine = batched.logits.subarray(k * perChip, (k + 1) * perChip);
      const reference = single.results[k]!.logits;
      const scale = Math.max(...reference.map(Math.abs));
      // 1/Δ is folded into the weights, so a partial sum on a code boundary may round the other way.
      const close = reference.filter((v, i) => Math.abs(mine[i]! - v) < 1e-4 * scale).length;
      expect(close / reference.length).toBeGreaterThanOrEqual(0.97);
    }
  });

  it.each<[string, boolean, BatchedSpeedups]>([
    ['a shared layer, the grouped Conv', true, {}],
    ['a shared layer, the blocked kernels', true, { nchwc }],
    ['a chip-major layer, the grouped Conv', false, {}],
    ['a chip-major layer, the blocked kernels', false, { nchwc }],
  ])(
    'pooling before the 8-bit ADC (%s) gives the same logits bit for bit, on a quarter of the read-outs',
    async (_, shared, speedups) => {
      const pooledData = images(16, [2, 8, 8]);
      const settings = options({ adcBits: 8, tile: { rows: 128, cols: 128 } });
      const model = pooledConvModel(9, shared);
      const modelOrder = await together(settings, chips, pooledData, true, speedups, model);
      const poolFirst = await together(
        settings,
        chips,
        pooledData,
        true,
        { ...speedups, poolFirst: true },
        model,
      );
      expect(modelOrder.pools).toEqual(['pool1']);
      // The model's MaxPool became an Identity; the pool now runs on the raw partial sums (on the
      // blocked kernels, one per blocked convolution: one on a shared layer, one per chip otherwise).
      const expected = speedups.nchwc && !shared ? chips : 1;
      expect(poolFirst.pools).toHaveLength(expected);
      for (const name of poolFirst.pools) expect(name).toMatch(/^xbar\/conv1\/tile0\//);
      expect(Array.from(poolFirst.logits)).toEqual(Array.from(modelOrder.logits));
      // The calibration probe pools first too, its ADC tap reading the products before the pool:
      // the same ranges, bit for bit.
      expect(poolFirst.probePools).toEqual(poolFirst.pools);
      expect(modelOrder.probePools).toEqual(['pool1']);
      expect(poolFirst.ranges.length).toBe(chips);
      expect(poolFirst.ranges).toEqual(modelOrder.ranges);
    },
  );

  it('the one-chip graph pools first too, before an 8-bit ADC with a 6-bit DAC: the same logits bit for bit', async () => {
    const pooledData = images(16, [2, 8, 8]);
    const settings = options({ adcBits: 8, dacBits: 6, tile: { rows: 128, cols: 128 } });
    const plan = planCrossbar(pooledConvModel(9, false), crossbarOptions(settings));
    const probe = crossbarGraph(plan, { converters: false, taps: true, noiseSeed: 2, poolFirst: true });
    const probeSession = await runtime.createSession(encodeModel(probe.model));
    const cells = feedsOf(drawChip(plan, 40));
    const ranges = await measureRanges(runtime, probeSession, probe.taps, 128, pooledData, { feeds: cells });
    const feeds = { ...cells, ...feedsOf(converterTensors(plan, ranges)) };
    const modelOrder = crossbarGraph(plan, { converters: true, noiseSeed: 1 });
    const poolFirst = crossbarGraph(plan, { converters: true, noiseSeed: 1, poolFirst: true });
    const pools = (g: typeof modelOrder) =>
      g.model.graph!.node!.filter((n) => n.opType === 'MaxPool').map((n) => n.name);
    expect(pools(modelOrder)).toEqual(['pool1']);
    expect(pools(poolFirst)).toEqual(['xbar/conv1/tile0/pool']);
    // The probe keeps the model's order: its taps need every output.
    expect(probe.model.graph!.node!.some((n) => n.name === 'pool1' && n.opType === 'MaxPool')).toBe(true);
    const logits = await outputs(poolFirst.model, feeds, pooledData);
    expect(Array.from(logits)).toEqual(Array.from(await outputs(modelOrder.model, feeds, pooledData)));
  });

  it('pools first only where that is exact: LeNet-5’s one-tile conv1, not its two-tile conv2 or the chain', () => {
    const lenet = prepareModel(readFileSync(join(REPO_ROOT, 'resources/models/lenet5-mnist.onnx')), 'lenet5');
    const plan = planCrossbar(
      lenet,
      crossbarOptions(options({ adcBits: 8, tile: { rows: 128, cols: 128 } })),
    );
    const graph = plan.base.graph!;
    const found = plan.layers.map((l) => poolFirst(graph, graph.node![l.nodeIndex]!, l) !== undefined);
    expect(plan.layers.slice(0, 2).map((l) => l.tiles.length)).toEqual([1, 2]);
    expect(found).toEqual([true, false, false, false, false]);
    const chain = planCrossbar(
      chainModel(5),
      crossbarOptions(options({ adcBits: 8, tile: { rows: 128, cols: 128 } })),
    );
    expect(
      chain.layers.some((l) => poolFirst(chain.base.graph!, chain.base.graph!.node![l.nodeIndex]!, l)),
    ).toBe(false);
  });

  it.each([
    // conv2: 2 row tiles × 3 chips read out through int8 codes.
    ['lenet5-mnist', 'mnist', 128, 1, 1, 6],
    // 3 chips × the 15 row tiles of its four pooled layers.
    ['vgg16-style-32', 'fashion32', 128, 4, 4, 3 * 15],
    // conv2's 16 columns in two column tiles: two ADC steps per chip, so the read-out is reordered.
    ['lenet5-mnist', 'mnist', 8, 1, 0, 0],
  ])(
    '%s on %s, tiles of %d columns: the MaxPools after tiled layers run on the blocked kernels, on the tiles’ sum before the bias, bit for bit',
    async (name, data, columns, expected, inBlocks, codeReads) => {
      const model = prepareModel(readFileSync(join(REPO_ROOT, `resources/models/${name}.onnx`)), name);
      const dataset = limitDataset(
        data === 'mnist'
          ? datasetFromIdx(
              readFileSync(join(REPO_ROOT, 'resources/data/mnist-test-images-idx3-ubyte')),
              readFileSync(join(REPO_ROOT, 'resources/data/mnist-test-labels-idx1-ubyte')),
              'mnist',
            )
          : datasetFromCifar10(
              readFileSync(join(REPO_ROOT, 'resources/data/fashion32-test.bin')),
              'fashion32',
            ),
        24,
      );
      const settings = options({
        adcBits: 8,
        tile: { rows: 128, cols: columns },
        levels: selectLevels(alox, 4),
      });
      const speedups = { nchwc, poolFirst: true };
      const nchw = await together(settings, 3, dataset, true, speedups, model);
      const blocked = await together(settings, 3, dataset, true, { ...speedups, blockedPools: true }, model);
      expect(nchw.blockedPools + nchw.sumPools).toBe(0);
      // Every such pool follows a chip-wise blocked Conv here, so each moved into its layer: the
      // model's MaxPool became an Identity, and the bias and ReLUs act on the pooled quarter.
      expect(blocked.sumPools).toBe(expected);
      // Those of one column tile read out without leaving the blocked layout.
      expect(blocked.blockedReadOuts).toBe(inBlocks);
      expect(blocked.codeReads).toBe(codeReads);
      expect(nchw.codeReads).toBe(0);
      expect(blocked.probeChipPools).toBe(expected * 3);
      expect(nchw.probeChipPools).toBe(0);
      expect(blocked.blockedPools).toBe(0);
      expect(blocked.modelPools).toBe(nchw.modelPools - expected);
      expect(blocked.bypassedPools - nchw.bypassedPools).toBe(expected);
      expect(Array.from(blocked.logits)).toEqual(Array.from(nchw.logits));
      expect(blocked.ranges).toEqual(nchw.ranges);
    },
    120_000,
  );

  /** LeNet-5 on the first MNIST test digits, as the evaluator is given it. */
  const lenetInput = (images: number, settings: PredictInput['settings']): PredictInput => ({
    model: readFileSync(join(REPO_ROOT, 'resources/models/lenet5-mnist.onnx')),
    modelName: 'lenet5',
    dataset: limitDataset(
      datasetFromIdx(
        readFileSync(join(REPO_ROOT, 'resources/data/mnist-test-images-idx3-ubyte')),
        readFileSync(join(REPO_ROOT, 'resources/data/mnist-test-labels-idx1-ubyte')),
        'mnist',
      ),
      images,
    ),
    table: alox,
    profileName: 'AlOx/HfO2',
    settings,
  });

  it('LeNet-5: a chip’s answer does not depend on which chips share its call', async () => {
    const input = lenetInput(300, { methods: ['mes'], bits: [4], trials: 5, adcBits: 8, calibration: 50 });
    const grouped = new LocalEvaluator(runtime, input);
    const five = await grouped.evaluate([0, 1, 2, 3, 4]);
    await grouped.release();
    const separate = new LocalEvaluator(runtime, input);
    const ones = [];
    for (const chip of [0, 3]) ones.push(...(await separate.evaluate([chip])));
    await separate.release();
    expect(five.map((o) => o.chip)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(ones[0]!.correct[0]!)).toEqual(Array.from(five[0]!.correct[0]!));
    expect(Array.from(ones[1]!.correct[0]!)).toEqual(Array.from(five[3]!.correct[0]!));
    // Chips differ (σ × 1) and stay near the float model's 98 %.
    expect(new Set(five.map((o) => o.accuracies[0])).size).toBeGreaterThan(1);
    for (const o of five) expect(o.accuracies[0]!).toBeGreaterThan(0.9);
  }, 120_000);

  it('LeNet-5: configurations share one loaded batched graph, and each gets the answer it gets alone', async () => {
    const input = lenetInput(200, {
      methods: ['linear', 'mes'],
      bits: [2, 4],
      trials: 3,
      adcBits: 8,
      calibration: 40,
    });
    // The real runtime, counting the sessions it is asked to load.
    let loaded = 0;
    const counting: OrtRuntime = {
      ...runtime,
      createSession: (bytes) => {
        loaded++;
        return runtime.createSession(bytes);
      },
    };
    const chips = [0, 1, 2];
    const together = new LocalEvaluator(counting, input);
    // Every configuration programs chip k from the same deviates (common random numbers): they
    // are drawn once per chip and layer, not once per configuration.
    const draws = vi.spyOn(Rng.prototype, 'fillNormal');
    const all = await together.evaluate(chips);
    const drawn = draws.mock.calls.length;
    draws.mockRestore();
    await together.release();
    // Four configurations, one chip count: one main graph and one probe, loaded once.
    expect(loaded).toBe(2);
    expect(drawn).toBe(chips.length * 5);
    for (const index of [0, 1, 2, 3]) {
      const alone = new LocalEvaluator(runtime, input);
      const mine = await alone.evaluate(chips, { configs: [index] });
      await alone.release();
      for (const k of chips.keys())
        expect(Array.from(all[k]!.correct[index]!)).toEqual(Array.from(mine[k]!.correct[index]!));
    }
    // The configurations do differ: linear 2-bit against MES 4-bit on chip 0.
    expect(all[0]!.accuracies[0]).not.toBe(all[0]!.accuracies[3]);
  }, 120_000);

  it('LeNet-5: evaluates block by block of chips, every configuration in turn, each seeing its chips in order', async () => {
    const input = lenetInput(60, {
      methods: ['linear', 'mes'],
      bits: [3],
      trials: 4,
      adcBits: 8,
      calibration: 20,
    });
    const evaluator = new LocalEvaluator(runtime, input, { chipsPerCall: 2 });
    const labels: string[] = [];
    const outcomes = await evaluator.evaluate([0, 1, 2, 3], {
      onProgress: (_, what) => {
        if (what.includes('chips') && labels.at(-1) !== what) labels.push(what);
      },
    });
    await evaluator.release();
    // While one block's deviates are remembered, the next configuration draws the same chips.
    expect(labels.map((label) => label.replace(/ .*, /, ' '))).toEqual([
      'linear chips 1–2',
      'MES chips 1–2',
      'linear chips 3–4',
      'MES chips 3–4',
    ]);
    expect(outcomes.map((o) => o.chip)).toEqual([0, 1, 2, 3]);
    for (const o of outcomes) expect(o.accuracies.every((a) => a !== null)).toBe(true);
  }, 120_000);

  it.each(['alexnet-style-32', 'vgg16-style-32'])(
    '%s (batch norm folded, tiles, 8-bit ADC): 8 chips per call give the accuracies one chip per call gives',
    async (name) => {
      const data = limitDataset(
        datasetFromCifar10(readFileSync(join(REPO_ROOT, 'resources/data/fashion32-test.bin')), 'fashion32'),
        120,
      );
      const input = {
        model: readFileSync(join(REPO_ROOT, `resources/models/${name}.onnx`)),
        modelName: name,
        dataset: data,
        table: alox,
        profileName: 'AlOx/HfO2',
        settings: {
          methods: ['mes' as const],
          bits: [3],
          trials: 3,
          adcBits: 8,
          calibration: 40,
          sigmaScale: 3,
        },
      };
      const accuracies = async (chipsPerCall: number) => {
        const evaluator = new LocalEvaluator(runtime, input, { chipsPerCall });
        try {
          return (await evaluator.evaluate([0, 1, 2])).map((o) => o.accuracies[0]!);
        } finally {
          await evaluator.release();
        }
      };
      const one = await accuracies(1);
      const eight = await accuracies(8);
      // The ADC's 1/Δ folded into the weights may round a partial sum on a code boundary the other
      // way; at most one of 120 images per chip may change.
      eight.forEach((a, k) => expect(Math.abs(a - one[k]!)).toBeLessThanOrEqual(1 / 120 + 1e-12));
      expect(new Set(one).size).toBeGreaterThan(1);
    },
    120_000,
  );
});
