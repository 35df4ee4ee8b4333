/**
 * Many chips per graph call: K chips of one configuration run in one ONNX Runtime call, so the
 * work every chip repeats (a shared first layer's im2col, the run's fixed cost, the calibration
 * pass) is paid once per K chips (docs/architecture.md §11, "Many chips per graph call").
 *
 * Layout. Between crossbar layers an activation is chip-major, [K·n, …]: chip k's n images are
 * rows k·n … k·n + n − 1, so the model's own ops (ReLU, pooling, Flatten, a Reshape over the batch
 * axis) act per image exactly as before. A crossbar layer views its input per chip:
 *   MatMul/Gemm: [K, m, R] · W[K, R, C] → [K, m, C]                        (batched MatMul)
 *   Conv: [K, n, Cin, H, W] → [n, K·Cin, H, W] ⊛ W[K·Cout, Cin, kh, kw], group K → [n, K·Cout, H', W']
 * and its ADC, read noise, tile sum and bias act in that view before it returns to chip-major.
 * A layer that reads the graph's data input directly shares it, since it is the same for every
 * chip: a Conv stacks the K chips' kernels into one of K·Cout channels (one im2col for K chips),
 * and a MatMul broadcasts [m, R] against W[K, R, C].
 *
 * Each chip's numbers are its own: no op mixes chips, so a chip's answer does not depend on
 * which chips share its call (read noise aside, whose generator draws for the whole call).
 */
import { initializerMap } from '../nn/graph';
import {
  cloneModel,
  floatOutput,
  inputShape,
  makeNode,
  modelOpset,
  onnx,
  type floatInput,
  type GraphProto,
  type ModelProto,
  type NodeProto,
} from '../nn/onnx';
import { convAttributes } from './passes/tiles';
import { biasConstant } from './passes/bias';
import { builder, reduce as reduceAxes, sliceAxis, type Builder } from './passes/builder';
import { finishGraph } from './passes/rewire';
import { addReadNoise, seedFor as readNoiseSeed } from './passes/read-noise';
import type { CrossbarPlan, FeedTensor, GraphOptions, PlannedLayer, TileLayout } from './transform';
import { bypassPool, poolsAfter, poolsFirst, type PoolFirst } from './pool-first';
import {
  blockedChannelMax,
  blockedConv,
  blockedMaxPool,
  nchwcConv,
  nchwcFilters,
  nchwcFits,
  NCHWC_DOMAIN,
  type NchwcSupport,
} from './nchwc';

/**
 * A calibration tap of a batched probe, reduced in the graph so only K numbers per column leave
 * it: the DAC's per-chip largest |x| and smallest x (its sign), the ADC's per-chip, per-column
 * largest |p|.
 */
export type BatchedTap =
  | { kind: 'dac'; layer: string; max: string; min: string; shared: boolean }
  | { kind: 'adc'; layer: string; tile: number; max: string };
export interface BatchedGraph {
  model: ModelProto;
  /** K: the chips each call runs (a grouped Conv's group count is fixed in the graph). */
  chips: number;
  /** Per fed tensor: its dims for K chips. */
  feedDims: Map<string, number[]>;
  taps: BatchedTap[];
}

/**
 * Rewrites that change how fast a chip runs, not what it computes: ONNX Runtime's blocked kernels
 * (rca/nchwc.ts; float rounding aside) and pooling before the read-out (rca/pool-first.ts; bit
 * for bit). The evaluator turns on both; tests compare each against the plain graph.
 */
export interface BatchedSpeedups {
  nchwc?: NchwcSupport;
  poolFirst?: boolean;
  /** With `nchwc`: the model's MaxPool after a Conv layer that does not pool first runs on the blocked kernels. */
  blockedPools?: boolean;
}

/** ONNX ops the batched graph needs (Slice with inputs, Expand). */
export const BATCHED_MIN_OPSET = 11;

interface BatchContext {
  b: Builder;
  plan: CrossbarPlan;
  layer: PlannedLayer;
  graphOptions: GraphOptions;
  converters: boolean;
  feedDims: BatchedGraph['feedDims'];
  taps?: BatchedTap[];
  opset: number;
  /** K: the chips each call runs. */
  chips: number;
  /** The layer's original Conv/MatMul/Gemm node, and the model's initializers (its bias). */
  node: NodeProto;
  initializers: ReturnType<typeof initializerMap>;
  /** ONNX Runtime's blocked kernels, where the runtime has them. */
  nchwc?: NchwcSupport;
  /** The model's MaxPool after this layer, run before the read-out where that is exact. */
  pool?: PoolFirst;
  /**
   * A tiled layer's later MaxPool, run on the tiles' summed read-out before the bias (and so
   * before the model's ReLUs), on the blocked kernels (rca/pool-first.ts).
   */
  poolAfterSum?: PoolFirst;
}

function fed(ctx: BatchContext, name: string, dims: number[]): string {
  ctx.feedDims.set(name, dims);
  return ctx.b.input(name, dims);
}

/** Slice of a 1-D int64 tensor (a shape): [start, end). */
function shapeSlice(b: Builder, shape: string, start: number, end: number, suffix: string): string {
  return b.node(
    'Slice',
    [shape, b.int64([start], `${suffix}_s`), b.int64([end], `${suffix}_e`), b.int64([0], `${suffix}_a`)],
    suffix,
  );
}

/** ReduceMax/ReduceMin over axes, keepdims 0, in this model's opset. */
function reduce(
  ctx: BatchContext,
  op: 'ReduceMax' | 'ReduceMin',
  x: string,
  axes: number[],
  suffix: string,
): string {
  return reduceAxes(ctx.b, op, x, axes, ctx.opset, suffix);
}

/** The layer input's per-chip range (only when a DAC will use it): [K] maxima of |x| and minima of x. */
function dacTap(ctx: BatchContext, input: string, shared: boolean): void {
  if (!ctx.taps || ctx.plan.options.dac.bits === null) return;
  const { b } = ctx;
  const perChip = b.node('Reshape', [input, b.int64([shared ? 1 : ctx.chips, -1], 'tap_rows')], 'tap_in');
  ctx.taps.push({
    kind: 'dac',
    layer: ctx.layer.name,
    max: reduce(ctx, 'ReduceMax', b.node('Abs', [perChip], 'tap_abs'), [1], 'tap_in_max'),
    min: reduce(ctx, 'ReduceMin', perChip, [1], 'tap_in_min'),
    shared,
  });
}

/** Whether this graph measures the ADC's ranges (the calibration probe of a configuration with an ADC). */
function tapsAdc(ctx: BatchContext): boolean {
  return ctx.taps !== undefined && ctx.plan.options.adc.bits !== null;
}

/**
 * A tile's per-chip, per-column largest |partial sum| ([K, C]), over the other axes. A layer that
 * pools first is tapped before its pool instead ({@link prePoolTap}), so it is skipped here.
 */
function adcTap(ctx: BatchContext, partial: string, axes: number[], tile: number, tag: string): void {
  if (!tapsAdc(ctx) || ctx.pool) return;
  const { b } = ctx;
  const max = reduce(ctx, 'ReduceMax', b.node('Abs', [partial], `${tag}/tap_abs`), axes, `${tag}/tap_max`);
  ctx.taps!.push({ kind: 'adc', layer: ctx.layer.name, tile, max });
}

/**
 * The probe pools first too: what follows a pooled layer is the same, bit for bit, and costs a
 * quarter of a full-size reorder and transpose. Its ADC tap reads the product before the pool,
 * since the range needs every partial sum, negatives included. `max` is [K·C] or [K, C]; callers
 * build it only for a layer that pools first in a probe with an ADC (`ctx.pool && tapsAdc(ctx)`).
 */
function prePoolTap(ctx: BatchContext, max: string, tile: number, tag: string): void {
  const { b } = ctx;
  const perChip = b.node(
    'Reshape',
    [max, b.int64([ctx.chips, ctx.layer.cols], `${tag}/tap_kc`)],
    `${tag}/tap_max`,
  );
  ctx.taps!.push({ kind: 'adc', layer: ctx.layer.name, tile, max: perChip });
}

/** prePoolTap's per-column maxima of a blocked product of `channels` ({@link blockedChannelMax}). */
function blockedTapMax(ctx: BatchContext, product: string, channels: number, tag: string) {
  const reduceMax = (x: string, axes: number[], suffix: string) => reduce(ctx, 'ReduceMax', x, axes, suffix);
  return blockedChannelMax(ctx.b, product, channels, reduceMax, `${tag}/tap`);
}

/**
 * The DAC on a per-chip view: each chip's step and code range ([K, 1, …]) from its own
 * calibration. Clip takes only scalar bounds, so the per-chip range is Max(Min(·)).
 *   x_q = Δ_k · max(min(round(x / Δ_k), code_max,k), code_min,k)
 */
function batchedDac(ctx: BatchContext, view: string, rank: number): string {
  const { b, layer, plan, converters } = ctx;
  if (!converters || plan.options.dac.bits === null) return view;
  const dims = [ctx.chips, ...new Array<number>(rank).fill(1)];
  const dac = layer.dac;
  const scaled = b.node('Mul', [view, fed(ctx, dac.inverseStep, dims)], 'dac_scaled');
  const rounded = b.node('Round', [scaled], 'dac_round');
  const below = b.node('Min', [rounded, fed(ctx, dac.codeMax, dims)], 'dac_max');
  const clipped = b.node('Max', [below, fed(ctx, dac.codeMin, dims)], 'dac_clip');
  return b.node('Mul', [clipped, fed(ctx, dac.step, dims)], 'dac_out');
}

/** Read noise on a tile's partial sum (passes/read-noise.ts), its variance fed stacked for K chips. */
function withReadNoise(
  ctx: BatchContext,
  product: (x: string, w: string, suffix: string) => string,
  slice: string,
  partial: string,
  tile: TileLayout,
  t: number,
  tag: string,
  dims: number[],
): string {
  if (!tile.variance) return partial;
  const seed = readNoiseSeed(ctx.graphOptions.noiseSeed, ctx.layer.index, t);
  return addReadNoise(ctx.b, product, slice, partial, fed(ctx, tile.variance, dims), seed, tag);
}

/**
 * The ADC with its 1/Δ folded into the fed weights ({@link foldAdcSteps}): the product already
 * counts in codes, so the read-out is p_q = Δ_c · clip(round(p'), −(2^(b−1) − 1), 2^(b−1) − 1).
 */
function batchedAdc(
  ctx: BatchContext,
  partial: string,
  tile: TileLayout,
  tag: string,
  dims: number[],
): string {
  const { b, converters, plan } = ctx;
  if (!converters || plan.options.adc.bits === null) return partial;
  const codes = adcCodeBounds(b, plan.options.adc.bits, tag);
  return digitise(b, partial, codes, fed(ctx, tile.adcStep, dims), tag);
}

/** The ADC's code range, ±(2^(b−1) − 1), as the two scalar bounds Clip takes. */
function adcCodeBounds(b: Builder, bits: number, tag: string): string[] {
  const steps = 2 ** (bits - 1) - 1;
  return [b.const([-steps], [], `${tag}/adc_code_min`), b.const([steps], [], `${tag}/adc_code_max`)];
}

/** Δ · clip(round(p′)): a product already in codes, read out with its columns' steps. */
function digitise(b: Builder, partial: string, codes: string[], step: string, tag: string): string {
  const rounded = b.node('Round', [partial], `${tag}/adc_round`);
  const clipped = b.node('Clip', [rounded, ...codes], `${tag}/adc_clip`);
  return b.node('Mul', [clipped, step], `${tag}/adc_out`);
}

/** QuantizeLinear's inputs that turn a product already in codes into int8 codes: scale 1, zero 0. */
function int8Coder(b: Builder, tag: string): { unit: string; zero: string } {
  const zero = b.name(`${tag}/code_zero`);
  const { INT8 } = onnx.TensorProto.DataType;
  b.initializers.push(onnx.TensorProto.create({ name: zero, dims: [], dataType: INT8, int32Data: [0] }));
  return { unit: b.const([1], [], `${tag}/code_unit`), zero };
}

/**
 * {@link digitise} for a per-tensor step Δ (a 1-element tensor): QuantizeLinear to int8 rounds half
 * to even as Round does and saturates at 127, and DequantizeLinear multiplies by Δ; with an int8
 * code between them they take less time than Round and Mul (the lower bound keeps its Clip). The
 * same values, but a zero code reads out as +0 where Round gives −0; the two are equal, so what
 * follows can differ at most in the sign of a zero, and the logits stay the same bit for bit
 * (batched.test.ts). LeNet-5's K = 8 graph: 0.954 of the time.
 */
function readCodes(
  b: Builder,
  partial: string,
  codes: string[],
  coder: { unit: string; zero: string },
  step: string,
  tag: string,
): string {
  const clipped = b.node('Clip', [partial, ...codes], `${tag}/adc_clip`);
  const code = b.node('QuantizeLinear', [clipped, coder.unit, coder.zero], `${tag}/adc_code`);
  return b.node('DequantizeLinear', [code, step], `${tag}/adc_out`);
}

/** The tiles' read-outs summed. */
function sumTiles(b: Builder, partials: string[]): string {
  return partials.length === 1 ? partials[0]! : b.node('Sum', partials, 'sum');
}

/** `x` plus the layer's bias (passes/bias.ts), broadcast as `biasDims`. */
function addBias(ctx: BatchContext, x: string, biasDims: number[]): string {
  const bias = biasConstant(ctx.b, ctx.node, ctx.layer, ctx.initializers, biasDims);
  return bias ? ctx.b.node('Add', [x, bias], 'biased') : x;
}

/** The tiles' read-outs summed, plus the layer's bias, broadcast as `biasDims`. */
function sumAndBias(ctx: BatchContext, partials: string[], biasDims: number[]): string {
  return addBias(ctx, sumTiles(ctx.b, partials), biasDims);
}

/** A MatMul/Gemm crossbar on K chips: [K, m, R] · W[K, R, C]. Returns the chip-major output. */
function matmulLayer(ctx: BatchContext, input: string, shared: boolean): string {
  const { b, layer } = ctx;
  const { rows: R, cols: C } = layer;
  const inShape = b.node('Shape', [input], 'in_shape');
  // Shared: [m, R], broadcast against every chip's weights. Chip-major: [K, m, R].
  const view = shared
    ? b.node('Reshape', [input, b.int64([-1, R], 'flat')], 'view')
    : b.node('Reshape', [input, b.int64([ctx.chips, -1, R], 'per_chip')], 'view');
  const x = batchedDac(ctx, view, 2);
  dacTap(ctx, input, shared);
  const partials = layer.tiles.map((tile, t) => {
    const tag = `tile${t}`;
    const weightDims = [ctx.chips, ...tile.dims];
    const whole = tile.r0 === 0 && tile.r1 === R;
    const slice = whole ? x : sliceAxis(b, x, tile.r0, tile.r1, -1, tag);
    const product = (xs: string, w: string, suffix: string) => b.node('MatMul', [xs, w], suffix);
    let partial = product(slice, fed(ctx, tile.weights, weightDims), `${tag}/psum`);
    partial = withReadNoise(ctx, product, slice, partial, tile, t, tag, weightDims);
    adcTap(ctx, partial, [1], t, tag);
    return batchedAdc(ctx, partial, tile, tag, [ctx.chips, 1, C]);
  });
  const out = sumAndBias(ctx, partials, [C]);
  // Back to chip-major with the input's leading dims: [K·n, …, C].
  const lead = shapeSlice(b, inShape, 0, -1, 'lead');
  const outShape = shared
    ? b.node(
        'Concat',
        [b.int64([-1], 'all'), shapeSlice(b, inShape, 1, -1, 'mid'), b.int64([C], 'cols')],
        'out_shape',
        { axis: { int: 0 } },
      )
    : b.node('Concat', [lead, b.int64([C], 'cols')], 'out_shape', { axis: { int: 0 } });
  return b.node('Reshape', [out, outShape], 'chip_major');
}

/** Concat of int64 shape parts (axis 0). */
function shapeOf(b: Builder, parts: string[], suffix: string): string {
  return b.node('Concat', parts, suffix, { axis: { int: 0 } });
}

/**
 * A Conv layer's per-chip input view [n, K, Cin, H, W], with its DAC: chip-major input is
 * reshaped and transposed; a shared input needs a view only for a DAC (its steps broadcast it).
 */
function convView(ctx: BatchContext, input: string, inShape: string, shared: boolean): string | undefined {
  const { b, plan } = ctx;
  const chw = shapeSlice(b, inShape, 1, 4, 'chw');
  if (!shared) {
    const perChip = b.node(
      'Reshape',
      [input, shapeOf(b, [b.int64([ctx.chips, -1], 'rest'), chw], 'view_shape')],
      'view5',
    );
    const view = b.node('Transpose', [perChip], 'image_major', { perm: { ints: [1, 0, 2, 3, 4] } });
    return batchedDac(ctx, view, 3);
  }
  if (!ctx.converters || plan.options.dac.bits === null) return undefined;
  const lead = [shapeSlice(b, inShape, 0, 1, 'n'), b.int64([1], 'one'), chw];
  return batchedDac(ctx, b.node('Reshape', [input, shapeOf(b, lead, 'view_shape')], 'view5'), 3);
}

/**
 * The blocked kernels this layer can use ({@link NchwcSupport}): where the runtime has them, and
 * the layer has no DAC or read noise (those run one chip per call, as they measured faster), and
 * every tile's channel count fits them.
 */
function layerNchwc(ctx: BatchContext): NchwcSupport | undefined {
  const { nchwc, layer, plan, converters } = ctx;
  if (!nchwc || (converters && plan.options.dac.bits !== null)) return undefined;
  if (layer.tiles.some((tile) => tile.variance || !nchwcFits(nchwc, tile.channels))) return undefined;
  return nchwc;
}

/** A Conv crossbar on K chips: grouped over chips (or stacked, on the shared input). */
function convLayer(ctx: BatchContext, input: string, shared: boolean): string {
  const { b, layer } = ctx;
  const C = layer.cols;
  const nchwc = layerNchwc(ctx);
  if (nchwc && !shared) return chipwiseConvLayer(ctx, input, nchwc);
  const inShape = b.node('Shape', [input], 'in_shape');
  dacTap(ctx, input, shared);
  const view = convView(ctx, input, inShape, shared);
  const attrs = view ? { ...convAttributes(ctx.node), group: { int: ctx.chips } } : convAttributes(ctx.node);
  const kernelShape = layer.weightDims.slice(2) as [number, number];
  const product = (x: string, w: string, suffix: string, tile?: TileLayout, t = 0) => {
    if (!nchwc || !tile) return b.node('Conv', [x, w], suffix, attrs);
    // The shared input: one convolution of K·C outputs on the blocked kernels.
    const out = ctx.chips * C;
    const kernel = kernelShape[0] * kernelShape[1];
    const filters = nchwcFilters(b, w, { chips: 1, out, in: tile.channels, kernel }, nchwc, suffix);
    const dims = { out, in: tile.channels, kernelShape };
    const conv = nchwcConv(b, x, filters, dims, attrs, nchwc, suffix, ctx.pool?.attrs);
    if (ctx.pool && tapsAdc(ctx)) prePoolTap(ctx, blockedTapMax(ctx, conv.product, out, suffix), t, suffix);
    return conv.y;
  };
  let outShape: string | undefined;
  const partials = layer.tiles.map((tile, t) => {
    const tag = `tile${t}`;
    const weightDims = [ctx.chips * tile.dims[0]!, ...tile.dims.slice(1)];
    const whole = tile.c0 === 0 && tile.channels === layer.weightDims[1]!;
    const end = tile.c0 + tile.channels;
    // Grouped: this tile's channels of every chip, [n, K·channels, H, W].
    const slice = view
      ? b.node(
          'Reshape',
          [
            whole ? view : sliceAxis(b, view, tile.c0, end, 2, tag),
            shapeOf(
              b,
              [b.int64([0, -1], `${tag}/nk`), shapeSlice(b, inShape, 2, 4, `${tag}/hw`)],
              `${tag}/groups_shape`,
            ),
          ],
          `${tag}/groups`,
        )
      : whole
        ? input
        : sliceAxis(b, input, tile.c0, end, 1, tag);
    let partial = product(slice, fed(ctx, tile.weights, weightDims), `${tag}/psum`, tile, t);
    partial = withReadNoise(ctx, product, slice, partial, tile, t, tag, weightDims);
    if (ctx.pool && !nchwc) {
      if (tapsAdc(ctx)) {
        // [n, K·C, H, W] → [n, K, C, H·W]: per chip and column over images and positions.
        const view = b.node(
          'Reshape',
          [partial, b.int64([0, ctx.chips, C, -1], `${tag}/tap_view_shape`)],
          `${tag}/tap_view`,
        );
        const abs = b.node('Abs', [view], `${tag}/tap_abs`);
        prePoolTap(ctx, reduce(ctx, 'ReduceMax', abs, [0, 3], `${tag}/tap_pre_pool`), t, tag);
      }
      partial = b.node('MaxPool', [partial], `${tag}/pool`, ctx.pool.attrs);
    }
    // [n, K·Cout, H', W'] → [n, K, Cout, H', W'].
    outShape ??= shapeOf(
      b,
      [
        b.int64([0, -1, C], 'n_k_c'),
        shapeSlice(b, b.node('Shape', [partial], 'psum_shape'), 2, 4, 'psum_hw'),
      ],
      'psum5_shape',
    );
    const partial5 = b.node('Reshape', [partial, outShape], `${tag}/psum5`);
    adcTap(ctx, partial5, [0, 3, 4], t, tag);
    return batchedAdc(ctx, partial5, tile, tag, [ctx.chips, C, 1, 1]);
  });
  const out = sumAndBias(ctx, partials, [C, 1, 1]);
  const chipFirst = b.node('Transpose', [out], 'chip_first', { perm: { ints: [1, 0, 2, 3, 4] } });
  const outHw = shapeSlice(b, b.node('Shape', [out], 'out5_shape'), 3, 5, 'out_hw');
  return b.node(
    'Reshape',
    [chipFirst, shapeOf(b, [b.int64([-1, C], 'kn_c'), outHw], 'chip_major_shape')],
    'chip_major',
  );
}

/**
 * A Conv crossbar on K chips, one blocked-kernel convolution per chip on its own rows of the
 * chip-major input, so nothing is transposed: [K·n, Cin, H, W] → per chip [n, C, H', W'] →
 * Concat → [K, n, C, H', W'] for the ADC and bias → [K·n, C, H', W'].
 */
function chipwiseConvLayer(ctx: BatchContext, input: string, nchwc: NchwcSupport): string {
  const { b, layer, chips: K } = ctx;
  const C = layer.cols;
  dacTap(ctx, input, false);
  const pool = ctx.poolAfterSum;
  // A layer that pools its tiles' sum reads out (the probe: taps) chip by chip.
  const bits = ctx.converters ? ctx.plan.options.adc.bits : null;
  if (pool && (bits !== null || tapsAdc(ctx))) return pooledPerChip(ctx, input, nchwc, pool, bits);
  const tileConvs = layer.tiles.map((tile, t) => chipConvs(ctx, input, tile, t, nchwc));
  let outShape: string | undefined;
  const partials = layer.tiles.map((tile, t) => {
    const tag = `tile${t}`;
    const convs = tileConvs[t]!;
    const outputs = convs.map((conv) => conv.y);
    if (ctx.pool && tapsAdc(ctx)) blockedTaps(ctx, convs, t);
    const partial =
      outputs.length === 1 ? outputs[0]! : b.node('Concat', outputs, `${tag}/psum`, { axis: { int: 0 } });
    outShape ??= shapeOf(
      b,
      [
        b.int64([K, -1, C], 'k_n_c'),
        shapeSlice(b, b.node('Shape', [partial], 'psum_shape'), 2, 4, 'psum_hw'),
      ],
      'psum5_shape',
    );
    const partial5 = b.node('Reshape', [partial, outShape], `${tag}/psum5`);
    adcTap(ctx, partial5, [1, 3, 4], t, tag);
    return batchedAdc(ctx, partial5, tile, tag, [K, 1, C, 1, 1]);
  });
  const out = pool ? sumTiles(b, partials) : sumAndBias(ctx, partials, [C, 1, 1]);
  const outHw = shapeSlice(b, b.node('Shape', [out], 'out5_shape'), 3, 5, 'out_hw');
  const chipMajor = b.node(
    'Reshape',
    [out, shapeOf(b, [b.int64([-1, C], 'kn_c'), outHw], 'chip_major_shape')],
    'chip_major',
  );
  // The bias and the model's ReLUs then act on the pooled quarter (exact: rca/pool-first.ts).
  return pool ? addBias(ctx, blockedMaxPool(b, chipMajor, C, pool.attrs, 'sum_pool'), [C, 1, 1]) : chipMajor;
}

/** One tile's blocked convolution per chip, each on its own rows of the chip-major input. */
function chipConvs(
  ctx: BatchContext,
  input: string,
  tile: TileLayout,
  t: number,
  nchwc: NchwcSupport,
): ReturnType<typeof nchwcConv>[] {
  const { rows, filters, dims, attrs, tag } = chipConvInputs(ctx, input, tile, t, nchwc);
  return rows.map((x, k) =>
    nchwcConv(ctx.b, x, filters[k]!, dims, attrs, nchwc, `${tag}/chip${k}`, ctx.pool?.attrs),
  );
}

/** Each chip's rows of a tile's input and its filter, for the blocked kernels. */
function chipConvInputs(ctx: BatchContext, input: string, tile: TileLayout, t: number, nchwc: NchwcSupport) {
  const { b, layer, chips: K } = ctx;
  const tag = `tile${t}`;
  const kernelShape = layer.weightDims.slice(2) as [number, number];
  const weightDims = [K * tile.dims[0]!, ...tile.dims.slice(1)];
  const whole = tile.c0 === 0 && tile.channels === layer.weightDims[1]!;
  const x = whole ? input : sliceAxis(b, input, tile.c0, tile.c0 + tile.channels, 1, tag);
  const filters = nchwcFilters(
    b,
    fed(ctx, tile.weights, weightDims),
    { chips: K, out: layer.cols, in: tile.channels, kernel: kernelShape[0] * kernelShape[1] },
    nchwc,
    tag,
  );
  return {
    rows: splitChips(ctx, x, tag),
    filters: splitChips(ctx, filters, `${tag}/f`),
    dims: { out: layer.cols, in: tile.channels, kernelShape },
    attrs: convAttributes(ctx.node),
    tag,
  };
}

/**
 * A layer that pools its tiles' sum reads out one chip at a time: each chip's tiles digitised
 * with its own steps, summed and pooled on the blocked kernels, and only the pooled quarter
 * concatenated into chip-major order. The same ops on the same floats as in chip-major order, but
 * each chip's tensors are small enough to stay in cache, and one Concat of a quarter replaces one
 * full-size Concat per tile (LeNet-5's K = 8 graph 0.965 of the time; architecture.md §11).
 *
 * With one column tile, a chip's ADC has one step per row tile (calibrate.ts shares a reference
 * across a column tile), a scalar: the read-out then stays in the blocked layout (for channels in
 * whole blocks), since round, clip, a scalar product and the sum act on its memory as on NCHW.
 * That saves each tile's reorder and the pool's, bit for bit (LeNet-5's K = 8 graph about 5 %
 * faster), and its scalar step lets int8 codes carry the read-out ({@link readCodes}).
 */
function pooledPerChip(
  ctx: BatchContext,
  input: string,
  nchwc: NchwcSupport,
  pool: PoolFirst,
  bits: number | null,
): string {
  const { b, layer, chips: K } = ctx;
  const C = layer.cols;
  // Whole blocks only: padding channels would be digitised for nothing. The probe has no steps.
  const blocked = (bits === null || C <= ctx.plan.options.array.tile.cols) && C % nchwc.block === 0;
  const convs = layer.tiles.map((tile, t) => {
    if (!blocked) return chipConvs(ctx, input, tile, t, nchwc);
    const { rows, filters, dims, attrs, tag } = chipConvInputs(ctx, input, tile, t, nchwc);
    return rows.map((x, k) => {
      const product = blockedConv(b, x, filters[k]!, dims, attrs, nchwc, `${tag}/chip${k}`);
      return { y: product, product };
    });
  });
  if (tapsAdc(ctx)) convs.forEach((chips, t) => blockedTaps(ctx, chips, t));
  const readOut = bits === null ? undefined : perChipReadOut(ctx, blocked, bits);
  const pooled = Array.from({ length: K }, (_, k) => {
    const readOuts = convs.map((chips, t) => readOut?.(chips[k]!.y, t, k) ?? chips[k]!.y);
    const sum = readOuts.length === 1 ? readOuts[0]! : b.node('Sum', readOuts, `chip${k}/sum`);
    return blockedMaxPool(b, sum, C, pool.attrs, `chip${k}/sum_pool`, blocked);
  });
  const chipMajor = K === 1 ? pooled[0]! : b.node('Concat', pooled, 'chip_major', { axis: { int: 0 } });
  return addBias(ctx, chipMajor, [C, 1, 1]);
}

/**
 * A tile's per-chip, per-column taps from its chips' blocked products ({@link blockedChannelMax}),
 * for a probe's layer that pools first or pools its tiles' sum.
 */
function blockedTaps(ctx: BatchContext, chips: ReadonlyArray<{ product: string }>, t: number): void {
  const tag = `tile${t}`;
  const maxima = chips.map((conv, k) => blockedTapMax(ctx, conv.product, ctx.layer.cols, `${tag}/chip${k}`));
  const all =
    maxima.length === 1 ? maxima[0]! : ctx.b.node('Concat', maxima, `${tag}/tap_chips`, { axis: { int: 0 } });
  prePoolTap(ctx, all, t, tag);
}

/** Chip k's read-out of tile t with its own step: through int8 codes where the step is a scalar. */
function perChipReadOut(ctx: BatchContext, blocked: boolean, bits: number) {
  const { b, layer, chips: K } = ctx;
  const C = layer.cols;
  const codes = adcCodeBounds(b, bits, 'adc');
  const steps = layer.tiles.map((tile, t) => {
    const fedSteps = fed(ctx, tile.adcStep, [K, C, 1, 1]);
    // [K]: each chip's one step, split into K tensors of one element (DequantizeLinear's scales).
    const perChip = blocked
      ? b.node(
          'Reshape',
          [sliceAxis(b, fedSteps, 0, 1, 1, `tile${t}/step`), b.int64([K], `tile${t}/k`)],
          `tile${t}/step_k`,
        )
      : fedSteps;
    return splitChips(ctx, perChip, `tile${t}/steps`);
  });
  const coder = blocked ? int8Coder(b, 'adc') : undefined;
  return (product: string, t: number, k: number) =>
    coder
      ? readCodes(b, product, codes, coder, steps[t]![k]!, `tile${t}/chip${k}`)
      : digitise(b, product, codes, steps[t]![k]!, `tile${t}/chip${k}`);
}

/**
 * Each chip's rows of a chip-major tensor [K·n, …] → K tensors [n, …], by one Split (equal parts;
 * from opset 18 the count is an attribute), not K Gathers: the same copies in one node.
 */
function splitChips(ctx: BatchContext, x: string, tag: string): string[] {
  const { b, chips: K } = ctx;
  if (K === 1) return [x];
  const outputs = Array.from({ length: K }, (_, k) => b.name(`${tag}/x${k}`));
  const attrs = { axis: { int: 0 }, ...(ctx.opset >= 18 ? { num_outputs: { int: K } } : {}) };
  b.nodes.push(makeNode('Split', [x], outputs, b.name(`${tag}/chips`), attrs));
  return outputs;
}

/** Whether a plan can run K chips per call: 2-D convolutions, and the ops the layout needs. */
export function canBatch(plan: CrossbarPlan): boolean {
  return (
    plan.tiled &&
    modelOpset(plan.base) >= BATCHED_MIN_OPSET &&
    plan.layers.every((l) => l.op !== 'Conv' || l.weightDims.length === 4)
  );
}

/**
 * The configuration's graph for K chips per call; every chip's cells and converter references
 * are fed stacked ({@link stackChips}). The plan must be tiled (planCrossbar's `wholeTiles` gives
 * an untiled configuration one tile per layer).
 */
export function batchedCrossbarGraph(
  plan: CrossbarPlan,
  graphOptions: GraphOptions,
  chips: number,
  speedups: BatchedSpeedups = {},
): BatchedGraph {
  const { nchwc } = speedups;
  if (!canBatch(plan)) throw new Error('This crossbar plan cannot run several chips per call.');
  const model = cloneModel(plan.base);
  const graph = model.graph!;
  const initializers = initializerMap(graph);
  const converters = graphOptions.converters && plan.options.mapping.method !== 'float';
  const data = inputShape(plan.base);
  const feedDims: BatchedGraph['feedDims'] = new Map();
  const taps: BatchedTap[] | undefined = graphOptions.taps ? [] : undefined;
  const top = builder('xbar');
  const newInputs: ReturnType<typeof floatInput>[] = [];
  const layerNodes = new Set(plan.layers.map((l) => graph.node![l.nodeIndex]!));
  const sharedLayers = new Set(
    plan.layers.filter((l) => graph.node![l.nodeIndex]!.input![0] === data.name).map((l) => l.name),
  );
  // Every other reader of the data input sees it repeated per chip: [K·n, …].
  const readers = graph.node!.filter((n) => !layerNodes.has(n) && (n.input ?? []).includes(data.name));
  if (readers.length > 0) {
    const rank = data.dims.length;
    const dataShape = top.node('Shape', [data.name], 'data_shape');
    const lifted = top.node('Unsqueeze', [data.name, top.int64([0], 'axis0')], 'data_1');
    const expanded = top.node(
      'Expand',
      [lifted, top.int64([chips, ...new Array<number>(rank).fill(1)], 'expand_shape')],
      'data_k',
    );
    const repeated = top.node(
      'Reshape',
      [
        expanded,
        top.node(
          'Concat',
          [top.int64([-1], 'all'), shapeSlice(top, dataShape, 1, rank, 'data_rest')],
          'data_k_shape',
          { axis: { int: 0 } },
        ),
      ],
      'data_per_chip',
    );
    for (const node of readers) node.input = node.input!.map((i) => (i === data.name ? repeated : i));
  }
  // In the probe too: its ADC taps read the products before their pools (prePoolTap).
  const pools = speedups.poolFirst ? poolsFirst(plan, graph) : new Map<string, PoolFirst | undefined>();
  const later =
    nchwc && speedups.blockedPools ? poolsAfter(plan, graph) : new Map<string, PoolFirst | undefined>();
  for (const layer of [...plan.layers].reverse()) {
    const node = graph.node![layer.nodeIndex]!;
    const pool = pools.get(layer.name);
    const b = builder(`xbar/${layer.name}`);
    const ctx: BatchContext = {
      b,
      plan,
      layer,
      graphOptions,
      converters,
      feedDims,
      chips,
      opset: modelOpset(plan.base),
      node,
      initializers,
      ...(taps ? { taps } : {}),
      ...(nchwc ? { nchwc } : {}),
      ...(pool ? { pool } : {}),
    };
    const shared = sharedLayers.has(layer.name);
    const input = node.input![0]!;
    // A tiled layer's later pool: on the chip-wise blocked path it pools the tiles' sum before
    // the bias; otherwise the model's MaxPool stays where it is, on the blocked kernels.
    const blockedPool = pool || layer.cols % 4 !== 0 ? undefined : later.get(layer.name);
    const chipwise = layer.op === 'Conv' && !shared && layerNchwc(ctx) !== undefined;
    if (blockedPool && chipwise) ctx.poolAfterSum = blockedPool;
    const out = layer.op === 'Conv' ? convLayer(ctx, input, shared) : matmulLayer(ctx, input, shared);
    b.nodes.push(makeNode('Identity', [out], [node.output![0]!], b.name('out')));
    if (pool) bypassPool(pool);
    if (ctx.poolAfterSum) bypassPool(ctx.poolAfterSum);
    // Layers go last to first, so the pool (after this layer) moves before this layer's splice.
    else if (blockedPool) poolOnBlockedKernels(graph, blockedPool, layer.cols);
    graph.node!.splice(layer.nodeIndex, 1, ...b.nodes);
    graph.initializer!.push(...b.initializers);
    newInputs.unshift(...b.inputs);
  }
  graph.node!.unshift(...top.nodes);
  graph.initializer!.push(...top.initializers);
  finishGraph(graph, plan.base, newInputs, undefined);
  if (graph.node!.some((n) => n.domain === NCHWC_DOMAIN))
    model.opsetImport = [...(model.opsetImport ?? []), { domain: NCHWC_DOMAIN, version: 1 }];
  for (const tap of taps ?? [])
    for (const output of tap.kind === 'dac' ? [tap.max, tap.min] : [tap.max])
      graph.output!.push(floatOutput(output));
  return { model, chips, feedDims, taps: taps ?? [] };
}

/**
 * The model's MaxPool on `channels` channels as ReorderInput → the blocked MaxPool → ReorderOutput:
 * the same maxima of the same floats (bit for bit), and ONNX Runtime's blocked MaxPool is much
 * faster than its NCHW one (LeNet-5's batched graph 2–3 % faster in all). ReorderInput needs whole
 * groups of 4 channels.
 */
function poolOnBlockedKernels(graph: GraphProto, pool: PoolFirst, channels: number): void {
  const node = pool.node;
  const [x, y] = [node.input![0]!, node.output![0]!];
  const blocked = (op: string, input: string, output: string, attrs: Parameters<typeof makeNode>[4] = {}) => {
    const made = makeNode(op, [input], [output], `${node.name ?? y}/${op}`, attrs);
    made.domain = NCHWC_DOMAIN;
    return made;
  };
  const nodes = [
    blocked('ReorderInput', x, `${y}/x_nchwc`),
    blocked('MaxPool', `${y}/x_nchwc`, `${y}/y_nchwc`, pool.attrs),
    blocked('ReorderOutput', `${y}/y_nchwc`, y, { channels: { int: channels } }),
  ];
  graph.node!.splice(graph.node!.indexOf(node), 1, ...nodes);
}

/** K chips' tensors (each chip's list from drawChip/converterTensors, same names) as one feed. */
export function stackChips(graph: BatchedGraph, perChip: readonly (readonly FeedTensor[])[]): FeedTensor[] {
  if (perChip.length !== graph.chips)
    throw new Error(`The graph runs ${graph.chips} chips per call, not ${perChip.length}.`);
  const out: FeedTensor[] = [];
  for (const [index, first] of perChip[0]!.entries()) {
    const dims = graph.feedDims.get(first.name);
    if (!dims) continue;
    const data = new Float32Array(first.data.length * perChip.length);
    perChip.forEach((tensors, k) => data.set(tensors[index]!.data, k * first.data.length));
    out.push({ name: first.name, dims, data });
  }
  return out;
}

/**
 * One chip's tensors for the batched graph with its ADC: each tile's weights divided by their
 * column's ADC step (its read-noise variance by the step squared), so the product counts in ADC
 * codes and one Mul per partial sum goes. The calibration probe reads the unscaled cells.
 */
export function foldAdcSteps(
  plan: CrossbarPlan,
  cells: readonly FeedTensor[],
  references: readonly FeedTensor[],
): FeedTensor[] {
  if (plan.options.adc.bits === null) return [...cells, ...references];
  const byName = new Map([...cells, ...references].map((t) => [t.name, t]));
  const folded = new Map<string, FeedTensor>();
  for (const layer of plan.layers)
    for (const tile of layer.tiles) {
      const step = byName.get(tile.adcStep)!.data;
      const columns = layer.cols;
      const scale = (name: string | undefined, power: 1 | 2) => {
        const cell = name ? byName.get(name) : undefined;
        if (!cell) return;
        const source = cell.data;
        const data = new Float32Array(source.length);
        const divisor = Float64Array.from(step, (s) => (power === 1 ? s : s * s));
        // MatMul tiles are [rows, C] (column fastest); Conv tiles [C, channels, kh, kw] (column slowest).
        if (layer.op === 'Conv') {
          const perColumn = source.length / columns;
          for (let c = 0, i = 0; c < columns; c++)
            for (const end = i + perColumn, d = divisor[c]!; i < end; i++) data[i] = source[i]! / d;
        } else {
          for (let i = 0; i < source.length; i += columns)
            for (let c = 0; c < columns; c++) data[i + c] = source[i + c]! / divisor[c]!;
        }
        folded.set(cell.name, { ...cell, data });
      };
      scale(tile.weights, 1);
      scale(tile.variance, 2);
    }
  const inverse = new Set(plan.layers.flatMap((l) => l.tiles.map((t) => t.adcInverseStep)));
  return [...cells.map((t) => folded.get(t.name) ?? t), ...references.filter((t) => !inverse.has(t.name))];
}
