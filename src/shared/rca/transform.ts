/**
 * The ReRAM crossbar as an ONNX graph transform (docs/architecture.md §7). Each Conv/Gemm/MatMul becomes
 * a crossbar: its weights are quantized onto the device's levels, every cell is programmed with
 * the level's measured σ (one chip instance per seed), and — only when they are switched on —
 * row tiles, read noise and ADC/DAC quantization are inserted as ordinary ONNX operators.
 *
 * Compile once, feed per chip: a configuration is planned (quantized) and its graph built and
 * loaded once, with every programmed cell tensor and converter reference as a graph input; a chip
 * is then a typed-array loop ({@link drawChip}) and a run. {@link buildCrossbarModel} bakes one
 * chip into a self-contained ONNX model that ONNX Runtime or Netron opens.
 *
 * Read noise G·(1 + N(0, σ_read)) is independent per cell and per read, so a column's partial
 * sum Σ xᵢ·α(G⁺ᵢ(1+ε⁺ᵢ) − G⁻ᵢ(1+ε⁻ᵢ)) is the noiseless sum plus a Gaussian of variance
 * σ_read²·Σ xᵢ²·α²(G⁺ᵢ² + G⁻ᵢ²). The graph computes that variance with a second product
 * (x² against α²σ²(G⁺² + G⁻²)) and draws it per image and column with RandomNormalLike: exact in
 * distribution, at the cost of one extra MatMul/Conv instead of one weight matrix per image.
 */
import { driftFactor } from '../levels/drift';
import type { LevelTable } from '../levels/level-table';
import { quantizeLayer, type MappingScheme, type QuantizedLayer, type ScaleMode } from '../quant/quantize';
import { Rng, type NormalMemo } from '../random';
import { crossbarLayers, initializerMap, type CrossbarLayer } from '../nn/graph';
import {
  cloneModel,
  floatAttr,
  floatTensor,
  intAttr,
  ModelError,
  modelOpset,
  tensorValues,
  toNumber,
  type floatInput,
  type ModelProto,
} from '../nn/onnx';

export type { PredictMethod } from '../quant/methods';
import type { PredictMethod } from '../quant/methods';
import { adcPass } from './passes/adc';
import { sumAndBiasPass } from './passes/bias';
import { builder, reduce, type Builder } from './passes/builder';
import type { LayerContext } from './passes/context';
import { dacPass } from './passes/dac';
import { readNoisePass } from './passes/read-noise';
import { finishGraph, rewireTiled, rewireUntiled } from './passes/rewire';
import { tileInput, tileProduct } from './passes/tiles';
import { bypassPool, poolsFirst, type PoolFirst } from './pool-first';

/**
 * A crossbar configuration grouped by hardware part, as CrossSim's XbarParameters (device, array,
 * ADC, DAC) and aihwkit's InferenceRPUConfig group theirs; checked once, by {@link planCrossbar}.
 */
export interface CrossbarOptions {
  /** Weights to cells: the method, the pair scheme, the scale, the 2^b levels programmed. */
  mapping: { method: PredictMethod; scheme: MappingScheme; scale: ScaleMode; levels: LevelTable };
  device: {
    /** Scales the measured programming σ of every level (0: none). */
    sigmaScale: number;
    /** Chip instance: programming variation and read-noise draws. */
    seed: number;
    /**
     * Retention drift at time t after programming: each cell's conductance times (t/t₀)^−ν, with
     * ν drawn per cell from its level's N(ν, σ_ν); absent or t ≤ t₀: as programmed.
     */
    drift?: DriftOptions;
    /**
     * Devices drawn from measured cells: each physical cell is one of them at random (its offsets
     * from the table's levels), with the cycle-to-cycle σ on top, both times sigmaScale. Absent:
     * each level's σ as one Gaussian.
     */
    devices?: DeviceOptions;
  };
  array: {
    /** Tiles of at most rows × cols cells. */
    tile: { rows: number; cols: number };
    /** Split into row tiles even when nothing needs it (tests: tiling alone must change nothing). */
    forceTiles?: boolean;
  };
  /** Relative σ of each cell read. */
  read: { noise: number };
  /** Bits of each column's ADC; null: ideal read-out. */
  adc: { bits: number | null };
  /** Bits of the input DACs; null: ideal inputs. */
  dac: { bits: number | null };
}

/** The flat form of {@link CrossbarOptions}: how settings, tests and benchmarks write one. */
export interface FlatCrossbarOptions {
  method: PredictMethod;
  scheme: MappingScheme;
  scale: ScaleMode;
  levels: LevelTable;
  tile: { rows: number; cols: number };
  adcBits: number | null;
  dacBits: number | null;
  readNoise: number;
  sigmaScale: number;
  seed: number;
  drift?: DriftOptions;
  devices?: DeviceOptions;
  forceTiles?: boolean;
}

/** Groups flat options by hardware part. */
export function crossbarOptions(flat: FlatCrossbarOptions): CrossbarOptions {
  return {
    mapping: { method: flat.method, scheme: flat.scheme, scale: flat.scale, levels: flat.levels },
    device: {
      sigmaScale: flat.sigmaScale,
      seed: flat.seed,
      ...(flat.drift ? { drift: flat.drift } : {}),
      ...(flat.devices ? { devices: flat.devices } : {}),
    },
    array: { tile: flat.tile, ...(flat.forceTiles !== undefined ? { forceTiles: flat.forceTiles } : {}) },
    read: { noise: flat.readNoise },
    adc: { bits: flat.adcBits },
    dac: { bits: flat.dacBits },
  };
}

export interface DriftOptions {
  t: number;
  t0: number;
  /** Per level (of the selected levels): the mean ν and its device-to-device σ. */
  nu: readonly number[];
  nuSigma: readonly number[];
  /** One scale per layer from a calibration read at t₀ and at t (global drift compensation). */
  compensate: boolean;
}

export interface DeviceOptions {
  /** Per measured cell: its conductance minus the table's, per level (S). */
  offsets: readonly (readonly number[])[];
  /** Per level: the cycle-to-cycle σ (S). */
  c2cSigma: readonly number[];
}

/** Calibrated full-scale ranges: per layer for the DAC, per layer × row tile × column for the ADC. */
export interface CalibrationRanges {
  dac: Map<string, { max: number; signed: boolean }>;
  adc: Map<string, Float32Array[]>;
}

/** One named tensor that differs from chip to chip (or with the calibration): fed, not rebuilt. */
export interface FeedTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

export interface TileLayout {
  r0: number;
  r1: number;
  /** First input channel of a Conv tile (whole channels per tile). */
  c0: number;
  channels: number;
  /** The tile's weight tensor dims in the op's own layout. */
  dims: number[];
  weights: string;
  variance: string | undefined;
  adcStep: string;
  adcInverseStep: string;
}

export interface PlannedLayer extends CrossbarLayer {
  index: number;
  outFirst: boolean;
  gemmAlpha: number;
  gemmBeta: number;
  /** The original weight tensor's dims. */
  tensorDims: number[];
  rowTiles: number;
  colTiles: number;
  /** Weights as K×N. */
  kxn: Float64Array;
  quantized: QuantizedLayer | undefined;
  tiles: TileLayout[];
  dac: { step: string; inverseStep: string; codeMin: string; codeMax: string };
}

/**
 * A configuration's crossbar — method, bits, scheme, tiles, converters — without the chip:
 * weights are quantized once here; each chip then only draws its cells ({@link drawChip}) and
 * feeds them to one compiled graph ({@link crossbarGraph}).
 */
export interface CrossbarPlan {
  base: ModelProto;
  options: CrossbarOptions;
  tiled: boolean;
  layers: PlannedLayer[];
  quantized: QuantizedLayer[];
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

/** The one check of a crossbar configuration, before anything is quantized or built. */
function checkCrossbar(base: ModelProto, options: CrossbarOptions): void {
  const { adc, dac, array, read, device } = options;
  if (adc.bits !== null && !(Number.isInteger(adc.bits) && adc.bits >= 2))
    throw new ModelError('The ADC needs a whole number of bits, at least 2.');
  if (dac.bits !== null && !(Number.isInteger(dac.bits) && dac.bits >= 1))
    throw new ModelError('The DAC needs a whole number of bits, at least 1.');
  if (![array.tile.rows, array.tile.cols].every((n) => Number.isInteger(n) && n >= 1))
    throw new ModelError('A tile needs at least one row and one column.');
  if (!(read.noise >= 0) || !(device.sigmaScale >= 0))
    throw new ModelError('Read noise and the σ scale cannot be negative.');
  const opset = modelOpset(base);
  if ((adc.bits !== null || dac.bits !== null) && opset < 11)
    throw new ModelError(`ADC/DAC simulation needs ONNX opset ≥ 11; the model uses ${opset}.`);
}

/**
 * `wholeTiles`: an untiled configuration gets one tile per layer (all its rows), so it can run
 * several chips per call; with no ADC and no read noise a tile's boundaries change nothing.
 */
export function planCrossbar(
  base: ModelProto,
  options: CrossbarOptions,
  layout: { wholeTiles?: boolean } = {},
): CrossbarPlan {
  checkCrossbar(base, options);
  const graph = base.graph!;
  const inits = initializerMap(graph);
  const needsTiles =
    options.array.forceTiles ||
    (options.mapping.method !== 'float' && (options.adc.bits !== null || options.read.noise > 0));
  const tiled = needsTiles || layout.wholeTiles === true;
  const g = options.mapping.levels.levels.map((l) => l.g);
  const sigma = options.mapping.levels.levels.map((l) => l.sigma * options.device.sigmaScale);
  const layers = crossbarLayers(base).map((layer, index): PlannedLayer => {
    const node = graph.node![layer.nodeIndex]!;
    const weight = inits.get(layer.weightName)!;
    const transB = layer.op === 'Gemm' && intAttr(node, 'transB', 0) === 1;
    const outFirst = layer.op === 'Conv' || transB;
    const kxn = toKxN(layer, tensorValues(weight), outFirst);
    const quantized =
      options.mapping.method === 'float'
        ? undefined
        : quantizeLayer(layer.name, kxn, g, {
            method: options.mapping.method,
            scheme: options.mapping.scheme,
            scale: options.mapping.scale,
            sigma,
          });
    const { rows: K, cols: N } = layer;
    const rowTiles = Math.ceil(K / options.array.tile.rows);
    const rowsPerTile = needsTiles ? options.array.tile.rows : K;
    const isConv = layer.op === 'Conv';
    const kernel = isConv ? layer.weightDims.slice(2) : [];
    const perChannel = kernel.reduce((x, y) => x * y, 1);
    const prefix = `xbar/${layer.name}`;
    const tiles = Array.from({ length: needsTiles ? rowTiles : tiled ? 1 : 0 }, (_, t): TileLayout => {
      const r0 = t * rowsPerTile;
      const r1 = Math.min(K, r0 + rowsPerTile);
      // A Conv row tile covers whole input channels c0…c1; rows outside [r0, r1) are zero cells.
      const c0 = isConv ? Math.floor(r0 / perChannel) : 0;
      const channels = isConv ? Math.floor((r1 - 1) / perChannel) - c0 + 1 : 0;
      const tag = `${prefix}/tile${t}`;
      return {
        r0,
        r1,
        c0,
        channels,
        dims: isConv ? [N, channels, ...kernel] : [r1 - r0, N],
        weights: `${tag}/w`,
        variance: options.mapping.method !== 'float' && options.read.noise > 0 ? `${tag}/var_w` : undefined,
        adcStep: `${tag}/adc_step`,
        adcInverseStep: `${tag}/adc_inv_step`,
      };
    });
    return {
      ...layer,
      index,
      outFirst,
      gemmAlpha: layer.op === 'Gemm' ? floatAttr(node, 'alpha', 1) : 1,
      gemmBeta: layer.op === 'Gemm' ? floatAttr(node, 'beta', 1) : 1,
      tensorDims: weight.dims!.map((d) => toNumber(d as number)),
      rowTiles,
      colTiles: Math.ceil(N / options.array.tile.cols),
      kxn,
      quantized,
      tiles,
      dac: {
        step: `${prefix}/dac_step`,
        inverseStep: `${prefix}/dac_inv_step`,
        codeMin: `${prefix}/dac_code_min`,
        codeMax: `${prefix}/dac_code_max`,
      },
    };
  });
  return {
    base,
    options,
    tiled,
    layers,
    quantized: layers.flatMap((l) => (l.quantized ? [l.quantized] : [])),
  };
}

interface ProgrammedLayer {
  /** Effective weights α(G⁺ − G⁻) (or the ideal/float values), K×N. */
  weights: Float64Array;
  /** Read-noise variance weights α²σ²(G⁺² + G⁻²), K×N, when read noise is on. */
  variance: Float64Array | undefined;
}

/** The deviates n calls of rng.normal() would give, from `memo` where it has them: read them only. */
function normalDeviates(rng: Rng, n: number, memo: NormalMemo | undefined): Float64Array {
  if (memo) return memo.fill(rng, n);
  const out = new Float64Array(n);
  rng.fillNormal(out);
  return out;
}

/**
 * Programs a layer's cells on one chip. Common random numbers: the chip's standardised deviations
 * z are drawn once per cell position (two per weight for a differential pair, one per cell and
 * one per reference in the bias scheme), whatever the method, and scaled by the σ of the level
 * each method puts there — so every method is compared on the same physical cells.
 */
function program(
  layer: PlannedLayer,
  options: CrossbarOptions,
  rng: Rng,
  memo: NormalMemo | undefined,
): ProgrammedLayer {
  const q = layer.quantized;
  if (!q) return { weights: layer.kxn, variance: undefined };
  // The ideal-linear reference is a perfect device: no variation, no read noise, no drift.
  if (options.mapping.method === 'ideal-linear') return { weights: q.realized, variance: undefined };
  const g = options.mapping.levels.levels.map((l) => l.g);
  const devices = options.device.devices;
  const sigma = devices
    ? devices.c2cSigma.map((s) => s * options.device.sigmaScale)
    : options.mapping.levels.levels.map((l) => l.sigma * options.device.sigmaScale);
  const { rows: K, cols: N } = layer;
  const cells = K * N;
  const weights = new Float64Array(cells);
  const variance = options.read.noise > 0 ? new Float64Array(cells) : undefined;
  const a = q.alpha;
  const s2 = options.read.noise * options.read.noise;
  // Which measured cell each physical cell is: from a stream forked after the chip's other draws,
  // so the programming deviates z stay those of the Gaussian draw (and every method shares them).
  const physical = options.mapping.scheme === 'differential' ? 2 * cells : cells;
  let deviceOf: Uint32Array | undefined;
  const assignDevices = () => {
    if (devices) deviceOf = drawDevices(rng.fork(0xd2d), physical, devices.offsets.length);
  };
  // Typed copies (offsets flattened, [device][level]) keep the per-cell loop tight: it runs for
  // every cell of every chip, and plain arrays in closures made it most of a chip's drawing time.
  const levelCount = g.length;
  const gOf = Float64Array.from(g);
  const sigmaOf = Float64Array.from(sigma);
  const offsetOf = devices
    ? Float64Array.from(devices.offsets.flatMap((row) => row.map((d) => d * options.device.sigmaScale)))
    : undefined;
  // Physical cell p (differential: 2i for G⁺, 2i + 1 for G⁻) at level k with deviate z, floored at 0.
  const cell = (k: number, z: number, p: number) => {
    const conductance =
      gOf[k]! + (offsetOf ? offsetOf[deviceOf![p]! * levelCount + k]! : 0) + sigmaOf[k]! * z;
    return conductance > 0 ? conductance : 0;
  };
  const drift =
    options.device.drift && options.device.drift.t > options.device.drift.t0
      ? options.device.drift
      : undefined;
  // Drift draws come after every programming draw, so without drift the chip is bit-identical.
  const aged = drift
    ? (k: number, conductance: number, z: number) =>
        conductance * driftFactor(drift.t, drift.nu[k]! + drift.nuSigma[k]! * z, drift.t0)
    : undefined;
  const fresh = aged && drift!.compensate ? new Float64Array(cells) : undefined;
  const normals = (n: number) => normalDeviates(rng, n, memo);
  if (options.mapping.scheme === 'differential') {
    // Interleaved (G⁺, G⁻) deviates per cell: the order the chip's stream has always had.
    const z = normals(2 * cells);
    const zNu = aged ? normals(2 * cells) : undefined;
    assignDevices();
    for (let i = 0; i < cells; i++) {
      let gPos = cell(q.plus[i]!, z[2 * i]!, 2 * i);
      let gNeg = cell(q.minus[i]!, z[2 * i + 1]!, 2 * i + 1);
      if (fresh) fresh[i] = a * (gPos - gNeg);
      if (aged) {
        gPos = aged(q.plus[i]!, gPos, zNu![2 * i]!);
        gNeg = aged(q.minus[i]!, gNeg, zNu![2 * i + 1]!);
      }
      weights[i] = a * (gPos - gNeg);
      if (variance) variance[i] = a * a * s2 * (gPos * gPos + gNeg * gNeg);
    }
  } else {
    // One reference column per tile: G_ref = (G₀ + G_{L−1})/2, programmed with the mean level σ.
    const gRefNominal = (g[0]! + g[g.length - 1]!) / 2;
    // The reference cells are Gaussian devices with the levels' mean σ, however the cells are drawn.
    const fullSigma = options.mapping.levels.levels.map((l) => l.sigma * options.device.sigmaScale);
    const sigmaRef = fullSigma.reduce((x, y) => x + y, 0) / fullSigma.length;
    const colTiles = Math.ceil(N / options.array.tile.cols);
    const zCell = normals(cells);
    const gRef = Float64Array.from({ length: K * colTiles }, () =>
      Math.max(0, gRefNominal + sigmaRef * rng.normal()),
    );
    const gRefAged = gRef;
    let zNu: Float64Array | undefined;
    if (aged) {
      // The reference cells drift too, with the levels' mean law.
      const nuRef = drift!.nu.reduce((x, y) => x + y, 0) / drift!.nu.length;
      const nuSigmaRef = drift!.nuSigma.reduce((x, y) => x + y, 0) / drift!.nuSigma.length;
      zNu = normals(cells);
      const freshRef = Float64Array.from(gRef);
      for (let j = 0; j < gRef.length; j++)
        gRefAged[j] = freshRef[j]! * driftFactor(drift!.t, nuRef + nuSigmaRef * rng.normal(), drift!.t0);
      assignDevices();
      if (fresh)
        for (let r = 0; r < K; r++)
          for (let c = 0; c < N; c++) {
            const i = r * N + c;
            fresh[i] =
              a *
              (cell(q.plus[i]!, zCell[i]!, i) -
                freshRef[r * colTiles + Math.floor(c / options.array.tile.cols)]!);
          }
    }
    if (!aged) assignDevices();
    for (let r = 0; r < K; r++) {
      for (let c = 0; c < N; c++) {
        const i = r * N + c;
        let value = cell(q.plus[i]!, zCell[i]!, i);
        if (aged) value = aged(q.plus[i]!, value, zNu![i]!);
        const ref = gRefAged[r * colTiles + Math.floor(c / options.array.tile.cols)]!;
        weights[i] = a * (value - ref);
        if (variance) variance[i] = a * a * s2 * (value * value + ref * ref);
      }
    }
  }
  if (fresh) compensate(weights, variance, fresh, K, N);
  return { weights, variance };
}

/** For each of `count` physical cells, one of `devices` measured cells, uniformly. */
function drawDevices(rng: Rng, count: number, devices: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let p = 0; p < count; p++) out[p] = Math.min(devices - 1, Math.floor(rng.next() * devices));
  return out;
}

/**
 * Global drift compensation (aihwkit's GlobalDriftCompensation): the layer is read with all inputs
 * at one when programmed and again after the drift; the outputs' summed magnitudes give one scale
 * α = Σ_c |Σ_r W₀| / Σ_c |Σ_r W_t| that multiplies the layer's output from then on.
 */
function compensate(
  weights: Float64Array,
  variance: Float64Array | undefined,
  fresh: Float64Array,
  K: number,
  N: number,
): void {
  let reference = 0;
  let now = 0;
  for (let c = 0; c < N; c++) {
    let s0 = 0;
    let st = 0;
    for (let r = 0; r < K; r++) {
      s0 += fresh[r * N + c]!;
      st += weights[r * N + c]!;
    }
    reference += Math.abs(s0);
    now += Math.abs(st);
  }
  if (!(now > 0) || !(reference > 0)) return;
  const alpha = reference / now;
  for (let i = 0; i < weights.length; i++) weights[i]! *= alpha;
  if (variance) for (let i = 0; i < variance.length; i++) variance[i]! *= alpha * alpha;
}

/** values[start..end) × factor as float32 (a plain loop: Float32Array.from with a callback is ~10× slower). */
function scaled(values: Float64Array, start: number, end: number, factor: number): Float32Array {
  const out = new Float32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = values[i]! * factor;
  return out;
}

/**
 * One chip's programmed cells, as the tensors its compiled graph takes. With `memo`, deviates an
 * earlier chip of the same seed drew (in another configuration) are taken from it, not drawn again.
 */
export function drawChip(plan: CrossbarPlan, seed: number, memo?: NormalMemo): FeedTensor[] {
  const rng = new Rng(seed);
  const out: FeedTensor[] = [];
  // From the last layer back: each layer's stream is forked in the same order for every method.
  for (const layer of [...plan.layers].reverse()) {
    const programmed = program(layer, plan.options, rng.fork(layer.index), memo);
    const N = layer.cols;
    if (!plan.tiled) {
      out.push({
        name: layer.weightName,
        dims: layer.tensorDims,
        data: fromKxN(layer, programmed.weights, layer.outFirst),
      });
      continue;
    }
    const perChannel = layer.op === 'Conv' ? layer.weightDims.slice(2).reduce((x, y) => x * y, 1) : 1;
    for (const tile of layer.tiles) {
      let weights: Float32Array;
      let variance: Float32Array | undefined;
      if (layer.op === 'Conv') {
        const size = N * tile.channels * perChannel;
        weights = new Float32Array(size);
        variance = programmed.variance ? new Float32Array(size) : undefined;
        for (let r = tile.r0; r < tile.r1; r++) {
          const local = r - tile.c0 * perChannel;
          for (let c = 0; c < N; c++) {
            weights[c * tile.channels * perChannel + local] =
              programmed.weights[r * N + c]! * layer.gemmAlpha;
            if (variance) variance[c * tile.channels * perChannel + local] = programmed.variance![r * N + c]!;
          }
        }
      } else {
        weights = scaled(programmed.weights, tile.r0 * N, tile.r1 * N, layer.gemmAlpha);
        variance = programmed.variance
          ? scaled(programmed.variance, tile.r0 * N, tile.r1 * N, layer.gemmAlpha * layer.gemmAlpha)
          : undefined;
      }
      out.push({ name: tile.weights, dims: tile.dims, data: weights });
      if (tile.variance && variance) out.push({ name: tile.variance, dims: tile.dims, data: variance });
    }
  }
  return out;
}

/** The converter references of one chip (its calibrated ranges), as tensors for its graph. */
export function converterTensors(plan: CrossbarPlan, ranges: CalibrationRanges): FeedTensor[] {
  const adcBits = plan.options.adc.bits;
  const dacBits = plan.options.dac.bits;
  const method = plan.options.mapping.method;
  if (method === 'float') return [];
  const out: FeedTensor[] = [];
  for (const layer of plan.layers) {
    if (dacBits !== null) {
      const range = ranges.dac.get(layer.name);
      if (!range) throw new ModelError(`No calibrated DAC range for layer '${layer.name}'.`);
      const max = Math.max(range.max, EPS);
      const steps = range.signed ? 2 ** (dacBits - 1) - 1 : 2 ** dacBits - 1;
      const scalar = (name: string, value: number): FeedTensor => ({
        name,
        dims: [],
        data: Float32Array.of(value),
      });
      out.push(
        scalar(layer.dac.inverseStep, steps / max),
        scalar(layer.dac.step, max / steps),
        scalar(layer.dac.codeMin, range.signed ? -steps : 0),
        scalar(layer.dac.codeMax, steps),
      );
    }
    if (adcBits !== null) {
      const steps = 2 ** (adcBits - 1) - 1;
      const broadcast = layer.op === 'Conv' ? [layer.cols, 1, 1] : [layer.cols];
      for (const [t, tile] of layer.tiles.entries()) {
        const range = ranges.adc.get(layer.name)?.[t];
        if (!range) throw new ModelError(`No calibrated ADC range for layer '${layer.name}', tile ${t}.`);
        const step = Float32Array.from(range, (v) => Math.max(v, EPS) / steps);
        out.push(
          { name: tile.adcStep, dims: broadcast, data: step },
          { name: tile.adcInverseStep, dims: broadcast, data: Float32Array.from(step, (v) => 1 / v) },
        );
      }
    }
  }
  return out;
}

export interface CrossbarGraph {
  /** The crossbar as ONNX: the data input first, then the chip (and converter) tensors. */
  model: ModelProto;
  layers: Array<CrossbarLayer & { rowTiles: number; colTiles: number }>;
  /**
   * Extra outputs added for calibration, reduced in the graph: per layer input, its largest |x|
   * and its smallest x (scalars); per tile, each column's largest |partial sum| ([C]).
   */
  taps: {
    dac: Array<{ layer: string; max: string; min: string }>;
    adc: Array<{ layer: string; tile: number; max: string }>;
  };
}

export interface GraphOptions {
  /** Outputs on every layer input and tile partial sum (the calibration probe). */
  taps?: boolean;
  /** Insert the ADC/DAC (their references are inputs); off in the calibration probe. */
  converters: boolean;
  /** Seeds the read-noise generators (they advance from run to run of one session). */
  noiseSeed: number;
  /**
   * Pool before the read-out where that is exact (rca/pool-first.ts): same outputs bit for bit,
   * a quarter of the read-outs for a 2×2 pool. Never in a probe (its taps need every output).
   */
  poolFirst?: boolean;
}

/**
 * The configuration's graph, built once; its cells and converter references are graph inputs.
 * Each crossbar layer is rewritten by the passes in order (rca/passes/, each with its math):
 * DAC → tiles (slice, product) → read noise → ADC → sum and bias → rewire.
 */
export function crossbarGraph(plan: CrossbarPlan, graphOptions: GraphOptions): CrossbarGraph {
  const { options } = plan;
  const model = cloneModel(plan.base);
  const graph = model.graph!;
  const initializers = initializerMap(graph);
  const result: CrossbarGraph = { model, layers: [], taps: { dac: [], adc: [] } };
  const converters = graphOptions.converters && options.mapping.method !== 'float';
  const newInputs: ReturnType<typeof floatInput>[] = [];
  const opset = modelOpset(plan.base);

  const pools =
    graphOptions.poolFirst && plan.tiled && !graphOptions.taps
      ? poolsFirst(plan, graph)
      : new Map<string, PoolFirst>();
  // Rewrite from the last layer back, so node indices of earlier layers stay valid.
  for (const layer of [...plan.layers].reverse()) {
    const { name, op, nodeIndex, weightName, weightDims, rows, cols, rowTiles, colTiles } = layer;
    result.layers.unshift({ name, op, nodeIndex, weightName, weightDims, rows, cols, rowTiles, colTiles });
    const node = graph.node![layer.nodeIndex]!;
    const ctx: LayerContext = {
      b: builder(`xbar/${layer.name}`),
      layer,
      node,
      options,
      graphOptions,
      converters,
      isConv: layer.op === 'Conv',
      initializers,
    };
    const input = dacPass(ctx, node.input![0]!);
    if (graphOptions.taps) result.taps.dac.push({ layer: layer.name, ...inputTap(ctx.b, input, opset) });
    if (!plan.tiled) {
      newInputs.unshift(...rewireUntiled(ctx, graph, input));
      continue;
    }
    const pool = pools.get(layer.name);
    const partials = layer.tiles.map((tile, t) => {
      const tag = `tile${t}`;
      const slice = tileInput(ctx, input, tile, tag);
      let partial = readNoisePass(ctx, slice, tileProduct(ctx, slice, tile, tag), tile, t, tag);
      if (pool) partial = ctx.b.node('MaxPool', [partial], `${tag}/pool`, pool.attrs);
      if (graphOptions.taps)
        result.taps.adc.push({ layer: layer.name, tile: t, max: columnTap(ctx.b, partial, opset, tag) });
      return adcPass(ctx, partial, tile, tag);
    });
    newInputs.unshift(...rewireTiled(ctx, graph, sumAndBiasPass(ctx, partials)));
    if (pool) bypassPool(pool);
  }
  finishGraph(graph, plan.base, newInputs, graphOptions.taps ? result.taps : undefined);
  return result;
}

/**
 * A probe's tap on a layer input, reduced in the graph: max |x| and min x over everything (the
 * DAC's range, and whether it must be signed). Exact: a max returns one of its own floats.
 */
function inputTap(b: Builder, input: string, opset: number): { max: string; min: string } {
  const magnitude = b.node('Abs', [input], 'tap_in/abs');
  return {
    max: reduce(b, 'ReduceMax', magnitude, undefined, opset, 'tap_in/max'),
    min: reduce(b, 'ReduceMin', input, undefined, opset, 'tap_in/min'),
  };
}

/**
 * A probe's tap on a tile's partial sums [n, C, …], reduced in the graph to each column's largest
 * |value| over the images and positions, [C]: the same floats the ADC range was read from in
 * JavaScript, without copying every partial sum out of the runtime.
 */
function columnTap(b: Builder, partial: string, opset: number, tag: string): string {
  const magnitude = b.node('Abs', [partial], `${tag}/tap_abs`);
  const view = b.node('Reshape', [magnitude, b.int64([0, 0, -1], `${tag}/tap_nc_shape`)], `${tag}/tap_nc`);
  return reduce(b, 'ReduceMax', view, [0, 2], opset, `${tag}/tap_max`);
}

/** Turns fed tensors into initializers: one chip's self-contained model (to save, or for tests). */
export function bakeInputs(model: ModelProto, tensors: readonly FeedTensor[]): ModelProto {
  const graph = model.graph!;
  const names = new Set(tensors.map((t) => t.name));
  graph.input = graph.input!.filter((i) => !names.has(i.name!));
  for (const t of tensors) graph.initializer!.push(floatTensor(t.name, t.dims, t.data));
  return model;
}

export interface CrossbarModel extends CrossbarGraph {
  quantized: QuantizedLayer[];
}

/** One chip's crossbar as a self-contained ONNX model (cells and converter references baked in). */
export function buildCrossbarModel(
  base: ModelProto,
  options: CrossbarOptions,
  calibration?: CalibrationRanges,
  addTaps = false,
): CrossbarModel {
  const plan = planCrossbar(base, options);
  const built = crossbarGraph(plan, {
    taps: addTaps,
    converters: calibration !== undefined,
    noiseSeed: options.device.seed,
  });
  bakeInputs(built.model, [
    ...drawChip(plan, options.device.seed),
    ...(calibration ? converterTensors(plan, calibration) : []),
  ]);
  return { ...built, quantized: plan.quantized };
}
