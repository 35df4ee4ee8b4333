/**
 * The ReRAM crossbar as an ONNX graph transform (DESIGN.md §7). Each Conv/Gemm/MatMul becomes
 * a crossbar: its weights are quantized onto the device's levels, every cell is programmed with
 * the level's measured σ (one chip instance per seed), and — only when they are switched on —
 * row tiles, read noise and ADC/DAC quantization are inserted as ordinary ONNX operators. The
 * result is a normal ONNX model that ONNX Runtime (Node or Web) executes, or Netron opens.
 *
 * Read noise G·(1 + N(0, σ_read)) is independent per cell and per read, so a column's partial
 * sum Σ xᵢ·α(G⁺ᵢ(1+ε⁺ᵢ) − G⁻ᵢ(1+ε⁻ᵢ)) is the noiseless sum plus a Gaussian of variance
 * σ_read²·Σ xᵢ²·α²(G⁺ᵢ² + G⁻ᵢ²). The graph computes that variance with a second product
 * (x² against α²σ²(G⁺² + G⁻²)) and draws it per image and column with RandomNormalLike: exact in
 * distribution, at the cost of one extra MatMul/Conv instead of one weight matrix per image.
 */
import type { LevelTable } from '../levels/level-table';
import { quantizeLayer, type MappingScheme, type QuantizedLayer, type ScaleMode } from '../quant/quantize';
import { Rng } from '../random';
import { utf8Decode } from '../text';
import { crossbarLayers, initializerMap, replaceInitializer, type CrossbarLayer } from '../nn/graph';
import {
  cloneModel,
  floatAttr,
  floatOutput,
  floatTensor,
  int64Tensor,
  intAttr,
  makeNode,
  ModelError,
  onnx,
  tensorValues,
  toNumber,
  type ModelProto,
  type NodeProto,
} from '../nn/onnx';

export type { PredictMethod } from '../quant/methods';
import type { PredictMethod } from '../quant/methods';

export interface CrossbarOptions {
  method: PredictMethod;
  scheme: MappingScheme;
  scale: ScaleMode;
  /** The 2^b levels the cells are programmed to (already selected). */
  levels: LevelTable;
  tile: { rows: number; cols: number };
  /** Bits of each column's ADC; null: ideal read-out. */
  adcBits: number | null;
  /** Bits of the input DACs; null: ideal inputs. */
  dacBits: number | null;
  /** Relative σ of each cell read. */
  readNoise: number;
  /** Scales the measured programming σ of every level (0: none). */
  sigmaScale: number;
  /** Chip instance: programming variation and read-noise draws. */
  seed: number;
  /** Split into row tiles even when nothing needs it (tests: tiling alone must change nothing). */
  forceTiles?: boolean;
}

/** Calibrated full-scale ranges: per layer for the DAC, per layer × row tile × column for the ADC. */
export interface CalibrationRanges {
  dac: Map<string, { max: number; signed: boolean }>;
  adc: Map<string, Float32Array[]>;
}

export interface CrossbarModel {
  model: ModelProto;
  quantized: QuantizedLayer[];
  layers: Array<CrossbarLayer & { rowTiles: number; colTiles: number }>;
  /** Extra outputs added for calibration: layer inputs and tile partial sums. */
  taps: {
    dac: Array<{ layer: string; output: string }>;
    adc: Array<{ layer: string; tile: number; output: string }>;
  };
}

const EPS = 1e-12;

/**
 * Weights as a K×N row-major matrix (K inputs per output, N outputs). Conv weights and Gemm's
 * transB weights store the output axis first; MatMul and plain Gemm store it last.
 */
function toKxN(layer: CrossbarLayer, w: ArrayLike<number>, outFirst: boolean): Float64Array {
  const { rows: K, cols: N } = layer;
  const out = new Float64Array(K * N);
  for (let r = 0; r < K; r++)
    for (let c = 0; c < N; c++) out[r * N + c] = w[outFirst ? c * K + r : r * N + c]!;
  return out;
}

function fromKxN(layer: CrossbarLayer, kxn: ArrayLike<number>, outFirst: boolean): Float32Array {
  const { rows: K, cols: N } = layer;
  const out = new Float32Array(K * N);
  for (let r = 0; r < K; r++)
    for (let c = 0; c < N; c++) out[outFirst ? c * K + r : r * N + c] = kxn[r * N + c]!;
  return out;
}

interface ProgrammedLayer {
  /** Effective weights α(G⁺ − G⁻) (or the ideal/float values), K×N. */
  weights: Float64Array;
  /** Read-noise variance weights α²σ²(G⁺² + G⁻²), K×N, when read noise is on. */
  variance: Float64Array | undefined;
  quantized: QuantizedLayer | undefined;
}

/**
 * Programs a layer's cells on one chip. Common random numbers: the chip's standardised deviations
 * z are drawn once per cell position (two per weight for a differential pair, one per cell and
 * one per reference in the bias scheme), whatever the method, and scaled by the σ of the level
 * each method puts there — so every method is compared on the same physical cells.
 */
function program(layer: CrossbarLayer, w: Float64Array, options: CrossbarOptions, rng: Rng): ProgrammedLayer {
  if (options.method === 'float') return { weights: w, variance: undefined, quantized: undefined };
  const g = options.levels.levels.map((l) => l.g);
  const sigma = options.levels.levels.map((l) => l.sigma * options.sigmaScale);
  const q = quantizeLayer(layer.name, w, g, {
    method: options.method,
    scheme: options.scheme,
    scale: options.scale,
    sigma,
  });
  // The ideal-linear reference is a perfect device: no variation, no read noise.
  if (options.method === 'ideal-linear') return { weights: q.realized, variance: undefined, quantized: q };
  const { rows: K, cols: N } = layer;
  const cells = K * N;
  const weights = new Float64Array(cells);
  const variance = options.readNoise > 0 ? new Float64Array(cells) : undefined;
  const a = q.alpha;
  const s2 = options.readNoise * options.readNoise;
  const cell = (k: number, z: number) => Math.max(0, g[k]! + sigma[k]! * z);
  if (options.scheme === 'differential') {
    const zPlus = new Float64Array(cells);
    const zMinus = new Float64Array(cells);
    for (let i = 0; i < cells; i++) {
      zPlus[i] = rng.normal();
      zMinus[i] = rng.normal();
    }
    for (let i = 0; i < cells; i++) {
      const gPos = cell(q.plus[i]!, zPlus[i]!);
      const gNeg = cell(q.minus[i]!, zMinus[i]!);
      weights[i] = a * (gPos - gNeg);
      if (variance) variance[i] = a * a * s2 * (gPos * gPos + gNeg * gNeg);
    }
  } else {
    // One reference column per tile: G_ref = (G₀ + G_{L−1})/2, programmed with the mean level σ.
    const gRefNominal = (g[0]! + g[g.length - 1]!) / 2;
    const sigmaRef = sigma.reduce((x, y) => x + y, 0) / sigma.length;
    const colTiles = Math.ceil(N / options.tile.cols);
    const zCell = Float64Array.from({ length: cells }, () => rng.normal());
    const gRef = Float64Array.from({ length: K * colTiles }, () =>
      Math.max(0, gRefNominal + sigmaRef * rng.normal()),
    );
    for (let r = 0; r < K; r++) {
      for (let c = 0; c < N; c++) {
        const i = r * N + c;
        const value = cell(q.plus[i]!, zCell[i]!);
        const ref = gRef[r * colTiles + Math.floor(c / options.tile.cols)]!;
        weights[i] = a * (value - ref);
        if (variance) variance[i] = a * a * s2 * (value * value + ref * ref);
      }
    }
  }
  return { weights, variance, quantized: q };
}

interface Builder {
  nodes: NodeProto[];
  initializers: ReturnType<typeof floatTensor>[];
  name(suffix: string): string;
  const(values: ArrayLike<number>, dims: number[], suffix: string): string;
  int64(values: number[], suffix: string): string;
  node(op: string, inputs: string[], suffix: string, attrs?: Parameters<typeof makeNode>[4]): string;
}

function builder(prefix: string): Builder {
  const b: Builder = {
    nodes: [],
    initializers: [],
    name: (suffix) => `${prefix}/${suffix}`,
    const(values, dims, suffix) {
      const name = b.name(suffix);
      b.initializers.push(floatTensor(name, dims, values));
      return name;
    },
    int64(values, suffix) {
      const name = b.name(suffix);
      b.initializers.push(int64Tensor(name, [values.length], values));
      return name;
    },
    node(op, inputs, suffix, attrs = {}) {
      const out = b.name(suffix);
      b.nodes.push(makeNode(op, inputs, [out], out, attrs));
      return out;
    },
  };
  return b;
}

/**
 * An ideal quantizer in four ops: scale to codes, round, clip the codes, scale back. Rounding
 * before clipping is exact here because the clip bound is a whole number of steps.
 */
function quantize(
  b: Builder,
  input: string,
  inverseStep: string,
  step: string,
  codes: [number, number],
  prefix: string,
): string {
  const scaled = b.node('Mul', [input, inverseStep], `${prefix}_scaled`);
  const rounded = b.node('Round', [scaled], `${prefix}_round`);
  const clipped = b.node(
    'Clip',
    [rounded, b.const([codes[0]], [], `${prefix}_code_min`), b.const([codes[1]], [], `${prefix}_code_max`)],
    `${prefix}_clip`,
  );
  return b.node('Mul', [clipped, step], `${prefix}_out`);
}

/** Symmetric mid-tread ADC over [−R, R] per column: 2^b − 1 levels, 0 exact. */
function adc(
  b: Builder,
  input: string,
  range: Float32Array,
  bits: number,
  broadcast: number[],
  suffix: string,
): string {
  const steps = 2 ** (bits - 1) - 1;
  const step = Float32Array.from(range, (v) => Math.max(v, EPS) / steps);
  return quantize(
    b,
    input,
    b.const(
      Float32Array.from(step, (v) => 1 / v),
      broadcast,
      `${suffix}/adc_inv_step`,
    ),
    b.const(step, broadcast, `${suffix}/adc_step`),
    [-steps, steps],
    `${suffix}/adc`,
  );
}

/** Input DAC: unsigned [0, R] with 2^b levels after a ReLU, else symmetric mid-tread. */
function dac(b: Builder, input: string, range: { max: number; signed: boolean }, bits: number): string {
  const max = Math.max(range.max, EPS);
  const steps = range.signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return quantize(
    b,
    input,
    b.const([steps / max], [], 'dac_inv_step'),
    b.const([max / steps], [], 'dac_step'),
    [range.signed ? -steps : 0, steps],
    'dac',
  );
}

function seedFor(seed: number, layer: number, tile: number): number {
  return (
    (new Rng(seed ^ Math.imul(layer + 1, 0x9e3779b1) ^ Math.imul(tile + 1, 0x85ebca6b)).nextUint32() %
      1_000_000) +
    1
  );
}

export function buildCrossbarModel(
  base: ModelProto,
  options: CrossbarOptions,
  calibration?: CalibrationRanges,
  addTaps = false,
): CrossbarModel {
  if (options.adcBits !== null && options.adcBits < 2) throw new ModelError('The ADC needs at least 2 bits.');
  if (options.dacBits !== null && options.dacBits < 1) throw new ModelError('The DAC needs at least 1 bit.');
  const opset = Math.max(
    ...(base.opsetImport ?? []).filter((o) => !o.domain).map((o) => toNumber(o.version as number)),
  );
  if ((options.adcBits !== null || options.dacBits !== null) && opset < 11)
    throw new ModelError(`ADC/DAC simulation needs ONNX opset ≥ 11; the model uses ${opset}.`);

  const model = cloneModel(base);
  const graph = model.graph!;
  const inits = initializerMap(graph);
  const layers = crossbarLayers(model);
  const rng = new Rng(options.seed);
  const quantized: QuantizedLayer[] = [];
  const result: CrossbarModel = { model, quantized, layers: [], taps: { dac: [], adc: [] } };
  const tiled =
    options.forceTiles || (options.method !== 'float' && (options.adcBits !== null || options.readNoise > 0));

  // Rewrite from the last layer back, so node indices of earlier layers stay valid.
  for (const [index, layer] of [...layers.entries()].reverse()) {
    const node = graph.node![layer.nodeIndex]!;
    const weight = inits.get(layer.weightName)!;
    const transB = layer.op === 'Gemm' && intAttr(node, 'transB', 0) === 1;
    const gemmAlpha = layer.op === 'Gemm' ? floatAttr(node, 'alpha', 1) : 1;
    const gemmBeta = layer.op === 'Gemm' ? floatAttr(node, 'beta', 1) : 1;
    const outFirst = layer.op === 'Conv' || transB;
    const kxn = toKxN(layer, tensorValues(weight), outFirst);
    const programmed = program(layer, kxn, options, rng.fork(index));
    if (programmed.quantized) quantized.unshift(programmed.quantized);
    const rowTiles = Math.ceil(layer.rows / options.tile.rows);
    result.layers.unshift({ ...layer, rowTiles, colTiles: Math.ceil(layer.cols / options.tile.cols) });
    const b = builder(`xbar/${layer.name}`);
    let input = node.input![0]!;
    const dacRange = calibration?.dac.get(layer.name);
    if (options.dacBits !== null && options.method !== 'float' && dacRange)
      input = dac(b, input, dacRange, options.dacBits);
    // Taps go through Identity: a graph input cannot also be listed as an output.
    if (addTaps) result.taps.dac.push({ layer: layer.name, output: b.node('Identity', [input], 'tap_in') });

    if (!tiled) {
      // Same node, new weights: the fastest path when tiles change nothing numerically.
      replaceInitializer(
        graph,
        floatTensor(
          layer.weightName,
          weight.dims!.map((d) => toNumber(d as number)),
          fromKxN(layer, programmed.weights, outFirst),
        ),
      );
      if (input !== node.input![0]) node.input![0] = input;
      graph.node!.splice(layer.nodeIndex, 1, ...b.nodes, node);
      graph.initializer!.push(...b.initializers);
      continue;
    }

    const { rows: K, cols: N } = layer;
    const partials: string[] = [];
    const isConv = layer.op === 'Conv';
    const kernel = isConv ? layer.weightDims.slice(2) : [];
    const perChannel = kernel.reduce((x, y) => x * y, 1);
    const broadcast = isConv ? [N, 1, 1] : [N];
    for (let t = 0; t < rowTiles; t++) {
      const r0 = t * options.tile.rows;
      const r1 = Math.min(K, r0 + options.tile.rows);
      const tag = `tile${t}`;
      let slice: string;
      let weights: Float32Array;
      let variance: Float32Array | undefined;
      let dims: number[];
      if (isConv) {
        // A row tile covers whole input channels c0…c1; rows outside [r0, r1) are zero cells.
        const c0 = Math.floor(r0 / perChannel);
        const c1 = Math.floor((r1 - 1) / perChannel);
        const channels = c1 - c0 + 1;
        slice = b.node(
          'Slice',
          [
            input,
            b.int64([c0], `${tag}/start`),
            b.int64([c1 + 1], `${tag}/end`),
            b.int64([1], `${tag}/axis`),
          ],
          `${tag}/x`,
        );
        dims = [N, channels, ...kernel];
        weights = new Float32Array(N * channels * perChannel);
        variance = programmed.variance ? new Float32Array(weights.length) : undefined;
        for (let r = r0; r < r1; r++) {
          const local = r - c0 * perChannel;
          for (let c = 0; c < N; c++) {
            weights[c * channels * perChannel + local] = programmed.weights[r * N + c]! * gemmAlpha;
            if (variance) variance[c * channels * perChannel + local] = programmed.variance![r * N + c]!;
          }
        }
      } else {
        slice = b.node(
          'Slice',
          [input, b.int64([r0], `${tag}/start`), b.int64([r1], `${tag}/end`), b.int64([1], `${tag}/axis`)],
          `${tag}/x`,
        );
        dims = [r1 - r0, N];
        weights = Float32Array.from(programmed.weights.subarray(r0 * N, r1 * N), (v) => v * gemmAlpha);
        variance = programmed.variance
          ? Float32Array.from(programmed.variance.subarray(r0 * N, r1 * N), (v) => v * gemmAlpha * gemmAlpha)
          : undefined;
      }
      const convAttrs = () => {
        const attrs: Record<string, number[] | string> = {};
        for (const a of node.attribute ?? []) {
          if (a.name === 'auto_pad') attrs[a.name] = utf8Decode(a.s ?? new Uint8Array());
          else if (
            a.name === 'pads' ||
            a.name === 'strides' ||
            a.name === 'dilations' ||
            a.name === 'kernel_shape'
          )
            attrs[a.name] = (a.ints ?? []).map((v) => toNumber(v as number));
        }
        return attrs;
      };
      const product = (x: string, w: string, suffix: string) =>
        isConv ? b.node('Conv', [x, w], suffix, convAttrs()) : b.node('MatMul', [x, w], suffix);
      let partial = product(slice, b.const(weights, dims, `${tag}/w`), `${tag}/psum`);
      if (variance) {
        const squared = b.node('Mul', [slice, slice], `${tag}/x2`);
        const spread = b.node(
          'Sqrt',
          [product(squared, b.const(variance, dims, `${tag}/var_w`), `${tag}/var`)],
          `${tag}/sd`,
        );
        const noise = b.node('RandomNormalLike', [partial], `${tag}/z`, {
          dtype: onnx.TensorProto.DataType.FLOAT,
          seed: seedFor(options.seed, index, t) + 0.5,
        });
        partial = b.node(
          'Add',
          [partial, b.node('Mul', [spread, noise], `${tag}/noise`)],
          `${tag}/psum_noisy`,
        );
      }
      if (addTaps) result.taps.adc.push({ layer: layer.name, tile: t, output: partial });
      const range = calibration?.adc.get(layer.name)?.[t];
      if (options.adcBits !== null && range)
        partial = adc(b, partial, range, options.adcBits, broadcast, tag);
      partials.push(partial);
    }
    let out = partials.length === 1 ? partials[0]! : b.node('Sum', partials, 'sum');
    const biasName = node.input![2];
    if (biasName) {
      const bias = tensorValues(inits.get(biasName)!);
      out = b.node(
        'Add',
        [
          out,
          b.const(
            Float32Array.from(bias, (v) => v * gemmBeta),
            isConv ? [N, 1, 1] : [N],
            'bias',
          ),
        ],
        'biased',
      );
    }
    // Keep the original output name so the rest of the graph is untouched.
    b.nodes.push(makeNode('Identity', [out], [node.output![0]!], b.name('out')));
    graph.node!.splice(layer.nodeIndex, 1, ...b.nodes);
    graph.initializer!.push(...b.initializers);
  }
  // Original weights no longer referenced by tiled layers are dropped.
  const used = new Set(graph.node!.flatMap((n) => n.input ?? []));
  graph.initializer = graph.initializer!.filter((t) => used.has(t.name!));
  if (addTaps) {
    for (const tap of [...result.taps.dac, ...result.taps.adc]) {
      if (!graph.output!.some((o) => o.name === tap.output)) graph.output!.push(floatOutput(tap.output));
    }
  }
  return result;
}
