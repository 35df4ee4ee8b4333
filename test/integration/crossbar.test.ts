import { readFileSync } from 'node:fs';
import { mesCrossbar } from '../helpers/crossbar-options';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectLevels, type LevelTable } from '../../src/shared/levels/level-table';
import { datasetFromIdx, limitDataset, type Dataset } from '../../src/shared/nn/datasets';
import { evaluateAccuracy } from '../../src/shared/nn/evaluate';
import { crossbarLayers, foldBatchNorm, initializerMap } from '../../src/shared/nn/graph';
import { decodeModel, encodeModel, tensorValues, type ModelProto } from '../../src/shared/nn/onnx';
import type { OrtRuntime } from '../../src/shared/nn/runtime';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { quantizeLayer } from '../../src/shared/quant/quantize';
import { calibrate, measureRanges } from '../../src/shared/rca/calibrate';
import { prepareModel } from '../../src/shared/rca/predict';
import {
  buildCrossbarModel,
  converterTensors,
  crossbarGraph,
  drawChip,
  planCrossbar,
  type CrossbarOptions,
  type FlatCrossbarOptions,
  type FeedTensor,
} from '../../src/shared/rca/transform';
import { Rng } from '../../src/shared/random';
import { nodeRuntime } from '../../src/main/nn/ort-node';
import { REPO_ROOT } from '../helpers/cli';
import { convBnModel, gemmModel, matmulModel } from '../helpers/onnx-models';

const runtime: OrtRuntime = nodeRuntime({ threads: 1 });
const resources = join(REPO_ROOT, 'resources');
const alox = builtinProfiles('test').find((p) => p.name === 'AlOx/HfO2')!.tables[0]!;

async function logits(model: ModelProto, data: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await runtime.createSession(encodeModel(model));
  const out = await session.run({ [session.inputNames[0]!]: runtime.floatTensor(data, dims) });
  return Float32Array.from(out[session.outputNames[0]!]!.data as Float32Array);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}

const options = (overrides: Partial<FlatCrossbarOptions>): CrossbarOptions =>
  mesCrossbar(selectLevels(alox, 4), { sigmaScale: 0, ...overrides });

describe('crossbar simulation on LeNet-5 (ONNX Runtime)', () => {
  let lenet: ModelProto;
  let mnist: Dataset;
  let batch: Float32Array;
  beforeAll(() => {
    lenet = prepareModel(readFileSync(join(resources, 'models', 'lenet5-mnist.onnx')), 'lenet5');
    mnist = datasetFromIdx(
      readFileSync(join(resources, 'data', 'mnist-test-images-idx3-ubyte')),
      readFileSync(join(resources, 'data', 'mnist-test-labels-idx1-ubyte')),
      'mnist',
    );
    batch = limitDataset(mnist, 64).images;
  });

  it('the bundled LeNet-5 reaches ≥ 97.5 % on the held-out test set in float', async () => {
    const session = await runtime.createSession(readFileSync(join(resources, 'models', 'lenet5-mnist.onnx')));
    const accuracy = await evaluateAccuracy(runtime, session, mnist);
    console.log(`LeNet-5 float accuracy on ${mnist.count} held-out digits: ${(100 * accuracy).toFixed(2)} %`);
    expect(mnist.count).toBe(1996);
    expect(accuracy).toBeGreaterThanOrEqual(0.975);
  });

  it('with every non-ideality off and no quantization, the simulated logits equal the float logits to 1e-5, tiled or not', async () => {
    const reference = await logits(lenet, batch, [64, 1, 28, 28]);
    for (const tile of [
      { rows: 128, cols: 128 },
      { rows: 7, cols: 5 },
    ]) {
      const sim = buildCrossbarModel(lenet, options({ method: 'float', tile, forceTiles: true }));
      expect(maxAbsDiff(await logits(sim.model, batch, [64, 1, 28, 28]), reference)).toBeLessThan(1e-5);
    }
  });

  it('tiling without an ADC changes nothing', async () => {
    const plain = buildCrossbarModel(lenet, options({}));
    const tiled = buildCrossbarModel(lenet, options({ forceTiles: true, tile: { rows: 32, cols: 16 } }));
    expect(tiled.layers.find((l) => l.name === '/fc1/Gemm')?.rowTiles).toBe(13);
    expect(
      maxAbsDiff(
        await logits(tiled.model, batch, [64, 1, 28, 28]),
        await logits(plain.model, batch, [64, 1, 28, 28]),
      ),
    ).toBeLessThan(1e-5);
  });

  it('variation with σ = 0 changes nothing: the cells hold exactly the quantized weights, whatever the seed', () => {
    const a = buildCrossbarModel(lenet, options({ sigmaScale: 0, seed: 1 }));
    const b = buildCrossbarModel(lenet, options({ sigmaScale: 0, seed: 99 }));
    const inits = initializerMap(lenet.graph!);
    for (const layer of crossbarLayers(lenet)) {
      const original = tensorValues(inits.get(layer.weightName)!);
      const q = quantizeLayer(
        layer.name,
        original,
        selectLevels(alox, 4).levels.map((l) => l.g),
        { method: 'mes', scale: 'mse' },
      );
      const simulated = tensorValues(initializerMap(a.model.graph!).get(layer.weightName)!);
      const again = tensorValues(initializerMap(b.model.graph!).get(layer.weightName)!);
      expect(Array.from(simulated)).toEqual(Array.from(again));
      // Quantization is per weight, so the op's own layout lines up element for element.
      simulated.forEach((v, i) => expect(v).toBeCloseTo(q.realized[i]!, 6));
    }
  });

  it('is reproducible for a seed and varies between seeds (variation, read noise, ADC and DAC on)', async () => {
    const noisy = (seed: number) => options({ sigmaScale: 1, readNoise: 0.05, adcBits: 6, dacBits: 6, seed });
    const calibration = limitDataset(mnist, 100);
    const run = async (seed: number) => {
      const ranges = await calibrate(runtime, lenet, noisy(seed), calibration);
      return logits(buildCrossbarModel(lenet, noisy(seed), ranges).model, batch, [64, 1, 28, 28]);
    };
    const first = await run(5);
    expect(maxAbsDiff(await run(5), first)).toBe(0);
    expect(maxAbsDiff(await run(6), first)).toBeGreaterThan(1e-3);
  });
  it('compiled once and fed per chip, a configuration gives each chip’s self-contained model exactly (ADC and DAC on)', async () => {
    const opts = (seed: number) => options({ sigmaScale: 1, adcBits: 6, dacBits: 6, seed });
    const calibration = limitDataset(mnist, 100);
    const plan = planCrossbar(lenet, opts(0));
    const graph = crossbarGraph(plan, { converters: true, noiseSeed: 0 });
    const probe = crossbarGraph(plan, { converters: false, taps: true, noiseSeed: 0 });
    // The graph's only initializers are configuration constants: the cells are inputs.
    expect(graph.model.graph!.input!.length).toBeGreaterThan(1 + crossbarLayers(lenet).length);
    const session = await runtime.createSession(encodeModel(graph.model));
    const probeSession = await runtime.createSession(encodeModel(probe.model));
    const feeds = (tensors: FeedTensor[]) =>
      Object.fromEntries(tensors.map((t) => [t.name, runtime.floatTensor(t.data, t.dims)]));
    for (const seed of [3, 4]) {
      const cells = drawChip(plan, seed);
      const ranges = await measureRanges(runtime, probeSession, probe.taps, 128, calibration, {
        feeds: feeds(cells),
      });
      const fed = await session.run({
        ...feeds([...cells, ...converterTensors(plan, ranges)]),
        [session.inputNames[0]!]: runtime.floatTensor(batch, [64, 1, 28, 28]),
      });
      const baked = buildCrossbarModel(
        lenet,
        opts(seed),
        await calibrate(runtime, lenet, opts(seed), calibration),
      );
      expect(
        maxAbsDiff(
          Float32Array.from(fed[session.outputNames[0]!]!.data as Float32Array),
          await logits(baked.model, batch, [64, 1, 28, 28]),
        ),
        // Constant weights let ORT fold and pre-pack; fed ones do not: float rounding only.
      ).toBeLessThan(1e-4);
    }
  });

  it('read noise in a compiled graph is drawn afresh on every run of the session', async () => {
    const plan = planCrossbar(lenet, options({ readNoise: 0.05 }));
    const graph = crossbarGraph(plan, { converters: false, noiseSeed: 9 });
    const session = await runtime.createSession(encodeModel(graph.model));
    const cells = drawChip(plan, 1);
    const run = async () =>
      Float32Array.from(
        (
          await session.run({
            ...Object.fromEntries(cells.map((t) => [t.name, runtime.floatTensor(t.data, t.dims)])),
            [session.inputNames[0]!]: runtime.floatTensor(batch, [64, 1, 28, 28]),
          })
        )[session.outputNames[0]!]!.data as Float32Array,
      );
    const first = await run();
    expect(maxAbsDiff(await run(), first)).toBeGreaterThan(1e-4);
  });
});

describe('crossbar physics on small models, against independent arithmetic', () => {
  const linearTable = (levels: number[]): LevelTable => ({
    name: 'linear',
    levels: levels.map((g) => ({ g, sigma: 0, n: 0 })),
    gMin: levels[0]!,
    gMax: levels[levels.length - 1]!,
    readVoltage: 0.1,
    fits: [],
    provenance: { runIds: [], createdAt: '', softwareVersion: '', method: 'test', warnings: [] },
  });

  it('read noise has the variance σ²·Σ x²·α²(G⁺² + G⁻²) per column', async () => {
    const K = 64;
    const N = 3;
    const rng = new Rng(3);
    const w = Array.from({ length: K * N }, () => rng.normal() * 0.3);
    const table = linearTable(Array.from({ length: 16 }, (_, k) => 1e-6 * (1 + k)));
    const opts = options({
      levels: table,
      readNoise: 0.1,
      method: 'mes',
      scale: 'max',
      sigmaScale: 0,
      tile: { rows: 16, cols: 128 },
    });
    const sim = buildCrossbarModel(matmulModel(K, N, w), opts);
    const q = sim.quantized[0]!;
    const x = Float32Array.from({ length: K }, () => rng.next());
    const rows = 4000;
    const inputs = new Float32Array(rows * K);
    for (let r = 0; r < rows; r++) inputs.set(x, r * K);
    const out = await logits(sim.model, inputs, [rows, K]);
    const g = table.levels.map((l) => l.g);
    for (let c = 0; c < N; c++) {
      let expectedVar = 0;
      let expectedMean = 0;
      for (let k = 0; k < K; k++) {
        const [gp, gn] = [g[q.plus[k * N + c]!]!, g[q.minus[k * N + c]!]!];
        expectedVar += x[k]! ** 2 * q.alpha ** 2 * 0.1 ** 2 * (gp * gp + gn * gn);
        expectedMean += x[k]! * q.realized[k * N + c]!;
      }
      const samples = Array.from({ length: rows }, (_, r) => out[r * N + c]!);
      const mean = samples.reduce((a, b) => a + b, 0) / rows;
      const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (rows - 1);
      expect(Math.abs(mean - expectedMean)).toBeLessThan(4 * Math.sqrt(expectedVar / rows) + 1e-6);
      // Sample variance of 4000 Gaussians: relative standard error √(2/3999) ≈ 2.2 %.
      expect(variance / expectedVar).toBeGreaterThan(0.9);
      expect(variance / expectedVar).toBeLessThan(1.1);
    }
  });

  it('the ADC puts each tile partial sum on a 2^b − 1 level grid over the calibrated range', async () => {
    const K = 10;
    const N = 4;
    const rng = new Rng(8);
    const w = Array.from({ length: K * N }, () => rng.normal());
    const table = linearTable([1e-6, 2e-6]);
    const opts = options({ levels: table, method: 'ideal-linear', adcBits: 3, tile: { rows: 128, cols: 2 } });
    const base = gemmModel(K, N, w, [0.5, -0.5, 0, 1]);
    const calibrationInputs = Float32Array.from({ length: 50 * K }, () => rng.next());
    const ranges = await calibrate(runtime, base, opts, {
      name: 'c',
      images: calibrationInputs,
      labels: new Uint8Array(50),
      count: 50,
      shape: [K],
    });
    const range = ranges.adc.get('fc')![0]!;
    // One reference per column tile of 2.
    expect(range[0]).toBe(range[1]);
    expect(range[2]).toBe(range[3]);
    const sim = buildCrossbarModel(base, opts, ranges);
    const x = Float32Array.from({ length: 20 * K }, () => 2 * rng.next());
    const out = await logits(sim.model, x, [20, K]);
    const bias = [0.5, -0.5, 0, 1];
    for (let r = 0; r < 20; r++) {
      for (let c = 0; c < N; c++) {
        const step = range[c]! / 3; // 3 bits: 2² − 1 = 3 steps each side of 0
        const code = (out[r * N + c]! - bias[c]!) / step;
        expect(Math.abs(code - Math.round(code))).toBeLessThan(1e-4);
        expect(Math.abs(code)).toBeLessThanOrEqual(3 + 1e-4);
      }
    }
  });

  it('calibration reads each tile column’s largest |partial sum| and each input’s largest |x|, over every batch', async () => {
    // Three row tiles (128, 128, 44), column tiles of 3, 300 signed inputs (3 batches of 128):
    // the ranges against sums of the fed cells' weights, in double precision.
    const K = 300;
    const N = 6;
    const rng = new Rng(21);
    const base = gemmModel(
      K,
      N,
      Array.from({ length: K * N }, () => rng.normal()),
    );
    const plan = planCrossbar(
      base,
      options({ sigmaScale: 1, adcBits: 4, dacBits: 8, tile: { rows: 128, cols: 3 } }),
    );
    const probe = crossbarGraph(plan, { converters: false, taps: true, noiseSeed: 0 });
    const cells = drawChip(plan, 3);
    const samples = 300;
    const x = Float32Array.from({ length: samples * K }, () => 2 * rng.next() - 1);
    const session = await runtime.createSession(encodeModel(probe.model));
    const feeds = Object.fromEntries(cells.map((t) => [t.name, runtime.floatTensor(t.data, t.dims)]));
    const data = { name: 'c', images: x, labels: new Uint8Array(samples), count: samples, shape: [K] };
    const ranges = await measureRanges(runtime, session, probe.taps, 3, data, { feeds });

    const layer = plan.layers[0]!;
    expect(layer.tiles.map((t) => t.r1 - t.r0)).toEqual([128, 128, 44]);
    layer.tiles.forEach((tile, t) => {
      const w = cells.find((c) => c.name === tile.weights)!.data;
      const largest = new Array<number>(N).fill(0);
      for (let s = 0; s < samples; s++)
        for (let c = 0; c < N; c++) {
          let sum = 0;
          for (let r = tile.r0; r < tile.r1; r++) sum += x[s * K + r]! * w[(r - tile.r0) * N + c]!;
          largest[c] = Math.max(largest[c]!, Math.abs(sum));
        }
      const shared = [0, 0, 0, 3, 3, 3].map((c0) => Math.max(...largest.slice(c0, c0 + 3)));
      const measured = ranges.adc.get('fc')![t]!;
      shared.forEach((expected, c) =>
        expect(Math.abs(measured[c]! - expected)).toBeLessThan(1e-5 * expected),
      );
    });
    expect(ranges.dac.get('fc')).toEqual({
      max: Math.max(...Array.from(x, Math.abs)),
      signed: true,
    });
  });

  it('the DAC quantizes inputs to 2^b levels over [0, max] after calibration', async () => {
    const K = 4;
    const identity = Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const opts = options({ levels: linearTable([1e-6, 2e-6]), method: 'ideal-linear', dacBits: 2 });
    const base = matmulModel(K, K, identity);
    const calibrationSet = {
      name: 'c',
      images: Float32Array.from([0, 0.5, 0.9, 0.3]),
      labels: new Uint8Array(1),
      count: 1,
      shape: [K],
    };
    const ranges = await calibrate(runtime, base, opts, calibrationSet);
    expect(ranges.dac.get('mm')).toEqual({ max: expect.closeTo(0.9, 6), signed: false });
    const out = await logits(
      buildCrossbarModel(base, opts, ranges).model,
      Float32Array.from([0.1, 0.2, 0.5, 2]),
      [1, K],
    );
    // 2 bits over [0, 0.9]: steps of 0.3; 2 is clipped to 0.9.
    expect(Array.from(out)).toEqual([0, 0.3, 0.6, 0.9].map((v) => expect.closeTo(v, 5)));
  });

  it('folds BatchNormalization into the preceding convolution exactly', async () => {
    const model = convBnModel(3, 5, 3, 11);
    const x = Float32Array.from({ length: 2 * 3 * 8 * 8 }, (_, i) => Math.sin(i));
    const before = await logits(model, x, [2, 3, 8, 8]);
    const folded = decodeModel(encodeModel(model));
    expect(foldBatchNorm(folded)).toBe(1);
    expect(folded.graph!.node!.map((n) => n.opType)).toEqual(['Conv', 'Relu']);
    expect(maxAbsDiff(await logits(folded, x, [2, 3, 8, 8]), before)).toBeLessThan(1e-5);
  });

  it('bias-column scheme with σ > 0: one reference cell per row and column tile, shared within the tile only', () => {
    const K = 600;
    const N = 4;
    const levels = [1e-6, 2e-6, 3e-6, 4e-6, 5e-6];
    const table: LevelTable = {
      ...linearTable(levels),
      levels: levels.map((g) => ({ g, sigma: 0.2e-6, n: 5 })),
    };
    // Every weight on the same level: what varies is each cell and each row's reference.
    const base = matmulModel(K, N, new Array<number>(K * N).fill(0.5));
    const sim = buildCrossbarModel(
      base,
      options({
        levels: table,
        scheme: 'bias',
        method: 'mes',
        scale: 'max',
        sigmaScale: 1,
        tile: { rows: 128, cols: 2 },
      }),
    );
    const w = tensorValues(initializerMap(sim.model.graph!).get(crossbarLayers(base)[0]!.weightName)!);
    const column = (c: number) => Array.from({ length: K }, (_, r) => w[r * N + c]!);
    const corr = (a: number[], b: number[]) => {
      const ma = a.reduce((x, y) => x + y, 0) / a.length;
      const mb = b.reduce((x, y) => x + y, 0) / b.length;
      let sab = 0;
      let saa = 0;
      let sbb = 0;
      for (let i = 0; i < a.length; i++) {
        sab += (a[i]! - ma) * (b[i]! - mb);
        saa += (a[i]! - ma) ** 2;
        sbb += (b[i]! - mb) ** 2;
      }
      return sab / Math.sqrt(saa * sbb);
    };
    // Cell σ = reference σ: columns sharing a reference correlate at 1/2, others not at all.
    const same = corr(column(0), column(1));
    const other = corr(column(0), column(2));
    console.log(
      `bias column: correlation within a tile ${same.toFixed(3)}, across tiles ${other.toFixed(3)}`,
    );
    expect(same).toBeGreaterThan(0.4);
    expect(same).toBeLessThan(0.6);
    expect(Math.abs(other)).toBeLessThan(0.1);
    expect(corr(column(2), column(3))).toBeGreaterThan(0.4);
  });

  it('bias-column scheme: weights are α(G − G_ref) and Gemm transB layouts map correctly', async () => {
    const K = 6;
    const N = 2;
    const w = [0.3, -0.2, 0.1, 0.25, -0.3, 0, 0.05, -0.1, 0.2, 0.15, -0.05, 0.3]; // [N, K] for transB
    const table = linearTable([1e-6, 2e-6, 3e-6, 4e-6, 5e-6]);
    const base = gemmModel(K, N, w, undefined, true);
    const sim = buildCrossbarModel(
      base,
      options({ levels: table, scheme: 'bias', method: 'mes', scale: 'max' }),
    );
    const x = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], (v) => v);
    const out = await logits(sim.model, x, [2, K]);
    const q = sim.quantized[0]!;
    // Row 0 of x picks weight row k = 0; row 1 picks k = 2 (K×N layout).
    expect(out[0]).toBeCloseTo(q.realized[0 * N + 0]!, 6);
    expect(out[1]).toBeCloseTo(q.realized[0 * N + 1]!, 6);
    expect(out[2]).toBeCloseTo(q.realized[2 * N + 0]!, 6);
    expect(q.realized[0 * N + 0]).toBeCloseTo(0.3, 6); // w[0][0] = 0.3 is on the grid
  });
});
