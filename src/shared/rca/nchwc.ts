/**
 * A chip's convolution through ONNX Runtime's blocked NCHWc kernels, on fed weights.
 *
 * Why. ONNX Runtime rewrites a float model's Conv into its NCHWc kernels only when the weights are
 * constants, and a chip's weights are fed. The kernels themselves (domain com.microsoft.nchwc) read
 * their filter at run time, so the graph can call them with a filter it reorders itself. On a
 * LeNet-5 conv2 (6 → 16 channels, 5×5) that is 2.8× faster than a Conv on fed weights (one thread,
 * 250 images: 2.6 ms against 7.3 ms; `npm run bench -- sweep` measures the whole chip).
 *
 * Layouts, with B the CPU's block size (8 with AVX2, 16 with AVX-512; {@link NchwcSupport}) and
 * O, I padded with zeros to multiples of B:
 *   input with I < B:  NCHW as it is;  filter OIHWBo    [O/B, I, kh, kw, B(o)]
 *   input with I ≥ B:  NCHWc (ReorderInput, I a multiple of 4);  filter OIHWBiBo [O/B, I/B, kh, kw, B(i), B(o)]
 *   output: NCHWc [n, O, H', W'], back to NCHW by ReorderOutput.
 * Only the summation order changes, so a chip's partial sums agree with a Conv's to float rounding.
 */
import { builder, type Builder } from './passes/builder';
import { floatInput, floatOutput, makeNode, onnx, type AttrInput, type ModelProto } from '../nn/onnx';
import type { NchwcSupport } from '../nn/runtime';

export type { NchwcSupport };

export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** Whether a convolution of `inputChannels` can run on the blocked kernels. */
export function nchwcFits(support: NchwcSupport, inputChannels: number): boolean {
  // ReorderInput handles only whole groups of 4 channels.
  return inputChannels < support.block || inputChannels % 4 === 0;
}

function padTo(n: number, block: number): number {
  return Math.ceil(n / block) * block;
}

function nchwcNode(
  b: Builder,
  op: string,
  inputs: string[],
  suffix: string,
  attrs: Record<string, AttrInput> = {},
) {
  const out = b.node(op, inputs, suffix, attrs);
  b.nodes[b.nodes.length - 1]!.domain = NCHWC_DOMAIN;
  return out;
}

/**
 * K filters [K·O, I, kh, kw] (fed stacked) reordered for the blocked kernels: [K, O′·I′·kh·kw]
 * with O′, I′ padded; row k is chip k's filter, to be shaped [O′, I′, kh, kw] by {@link nchwcConv}.
 */
export function nchwcFilters(
  b: Builder,
  weights: string,
  dims: { chips: number; out: number; in: number; kernel: number },
  support: NchwcSupport,
  tag: string,
): string {
  const B = support.block;
  const { chips: K, out: O, in: I, kernel } = dims;
  const outPadded = padTo(O, B);
  const blockedInput = I >= B;
  const inPadded = blockedInput ? padTo(I, B) : I;
  const grid = b.node(
    'Reshape',
    [weights, b.int64([K, O, I, kernel], `${tag}/f_grid_shape`)],
    `${tag}/f_grid`,
  );
  // Zero rows and channels up to whole blocks (the kernels read whole blocks).
  const pads = b.int64([0, 0, 0, 0, 0, outPadded - O, inPadded - I, 0], `${tag}/f_pads`);
  const padded = outPadded === O && inPadded === I ? grid : b.node('Pad', [grid, pads], `${tag}/f_pad`);
  // OIHWBiBo: [K, O/B, Bo, I/B, Bi, k] → [K, O/B, I/B, k, Bi, Bo];
  // OIHWBo:   [K, O/B, Bo, I, k]       → [K, O/B, I, k, Bo].
  const [blocks, perm, suffix] = blockedInput
    ? [[K, outPadded / B, B, inPadded / B, B, kernel], [0, 1, 3, 5, 4, 2], 'f_bibo']
    : [[K, outPadded / B, B, I, kernel], [0, 1, 3, 4, 2], 'f_bo'];
  const grouped = b.node('Reshape', [padded, b.int64(blocks, `${tag}/f_blocks_shape`)], `${tag}/f_blocks`);
  const blocked = b.node('Transpose', [grouped], `${tag}/${suffix}`, { perm: { ints: perm } });
  return b.node('Reshape', [blocked, b.int64([K, -1], `${tag}/f_rows_shape`)], `${tag}/f_rows`);
}

/**
 * One chip's convolution on the blocked kernels: `x` is NCHW [n, I, H, W], `filterRow` that
 * chip's row of {@link nchwcFilters} ([1, …] or […]), `pool` a MaxPool to run on the blocked
 * output. Returns `y`, NCHW [n, O, H', W'] (pooled when asked), and `product`, the blocked
 * convolution before any pool (its memory [n, O/B, H', W', B]).
 */
export function nchwcConv(
  ...[b, x, filterRow, dims, convAttributes, support, tag, pool]: [
    ...Parameters<typeof blockedConv>,
    pool?: Record<string, AttrInput>,
  ]
): { y: string; product: string } {
  const blockedOut = blockedConv(b, x, filterRow, dims, convAttributes, support, tag);
  // Pooling first (rca/pool-first.ts) runs on the blocked layout, before the reorder.
  const pooled = pool ? nchwcNode(b, 'MaxPool', [blockedOut], `${tag}/pool`, pool) : blockedOut;
  return {
    y: nchwcNode(b, 'ReorderOutput', [pooled], `${tag}/y`, { channels: { int: dims.out } }),
    product: blockedOut,
  };
}

/**
 * {@link nchwcConv}'s product alone, left blocked: [n, O′, H', W'] in memory [n, O′/B, H', W', B],
 * O′ padded with zero channels. Elementwise ops with a scalar act on it as on NCHW.
 */
export function blockedConv(
  b: Builder,
  x: string,
  filterRow: string,
  dims: { out: number; in: number; kernelShape: [number, number] },
  convAttributes: Record<string, AttrInput>,
  support: NchwcSupport,
  tag: string,
): string {
  const B = support.block;
  const blockedInput = dims.in >= B;
  const inPadded = blockedInput ? padTo(dims.in, B) : dims.in;
  const filter = b.node(
    'Reshape',
    [filterRow, b.int64([padTo(dims.out, B), inPadded, ...dims.kernelShape], `${tag}/filter_shape`)],
    `${tag}/filter`,
  );
  const input = blockedInput ? nchwcNode(b, 'ReorderInput', [x], `${tag}/x_nchwc`) : x;
  return nchwcNode(b, 'Conv', [input, filter], `${tag}/conv`, {
    ...convAttributes,
    kernel_shape: { ints: dims.kernelShape },
  });
}

/**
 * MaxPool on the blocked kernels: ReorderInput → blocked MaxPool → ReorderOutput, the same maxima
 * of the same floats as ONNX's MaxPool (bit for bit), and much faster than ONNX Runtime's NCHW one.
 * ReorderInput needs whole groups of 4 channels. `x` already blocked (`blocked`) skips it.
 */
export function blockedMaxPool(
  b: Builder,
  x: string,
  channels: number,
  pool: Record<string, AttrInput>,
  tag: string,
  blocked = false,
): string {
  const input = blocked ? x : nchwcNode(b, 'ReorderInput', [x], `${tag}/x_nchwc`);
  const pooled = nchwcNode(b, 'MaxPool', [input], `${tag}/pool`, pool);
  return nchwcNode(b, 'ReorderOutput', [pooled], `${tag}/y`, { channels: { int: channels } });
}

/**
 * Per channel, the largest |value| of a blocked product [n, O, H, W] over its images and
 * positions: [channels], the first `channels` of its padded ones. |value| and the blocked
 * GlobalMaxPool keep the layout, so only [n, O] is reordered, never the product.
 */
export function blockedChannelMax(
  b: Builder,
  blocked: string,
  channels: number,
  reduceMax: (x: string, axes: number[], suffix: string) => string,
  tag: string,
): string {
  const magnitude = b.node('Abs', [blocked], `${tag}/abs`);
  const perImage = nchwcNode(b, 'GlobalMaxPool', [magnitude], `${tag}/global_max`);
  const plain = nchwcNode(b, 'ReorderOutput', [perImage], `${tag}/per_image`, {
    channels: { int: channels },
  });
  return reduceMax(plain, [0, 2, 3], `${tag}/max`);
}

const PROBE_OPSETS = [
  { domain: '', version: 13 },
  { domain: NCHWC_DOMAIN, version: 1 },
];

/** A model whose output's channel count is the block size: ReorderInput pads 4 channels to one block. */
export function blockSizeProbe(): ModelProto {
  const reorder = makeNode('ReorderInput', ['x'], ['y'], 'reorder');
  reorder.domain = NCHWC_DOMAIN;
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: PROBE_OPSETS,
    producerName: 'reram-bench',
    graph: {
      name: 'nchwc-block',
      node: [reorder],
      input: [floatInput('x', [1, 4, 1, 1])],
      output: [floatOutput('y')],
    },
  });
}

/**
 * Both blocked layouts this file builds (an input of fewer channels than a block, and of one
 * block), each beside ONNX's own Conv on the same fed filter, so a runtime can check that the
 * kernels compute what Conv does on this CPU before any chip runs on them. Outputs come in pairs:
 * `blocked<i>`, `plain<i>`.
 */
export function blockedConvCheck(support: NchwcSupport): {
  model: ModelProto;
  inputs: Array<{ name: string; dims: number[] }>;
  pairs: number;
} {
  const b = builder('check');
  const kernelShape: [number, number] = [3, 3];
  const attrs: Record<string, AttrInput> = { pads: { ints: [1, 1, 1, 1] } };
  const channels = [2, support.block];
  const inputs = channels.flatMap((c, i) => [
    { name: `x${i}`, dims: [2, c, 5, 5] },
    { name: `w${i}`, dims: [3, c, ...kernelShape] },
  ]);
  const outputs = channels.flatMap((c, i) => {
    const filters = nchwcFilters(b, `w${i}`, { chips: 1, out: 3, in: c, kernel: 9 }, support, `f${i}`);
    const dims = { out: 3, in: c, kernelShape };
    const blocked = nchwcConv(b, `x${i}`, filters, dims, attrs, support, `c${i}`).y;
    const plain = b.node('Conv', [`x${i}`, `w${i}`], `p${i}`, {
      ...attrs,
      kernel_shape: { ints: kernelShape },
    });
    return [
      makeNode('Identity', [blocked], [`blocked${i}`], `blocked${i}`),
      makeNode('Identity', [plain], [`plain${i}`], `plain${i}`),
    ];
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: PROBE_OPSETS,
    producerName: 'reram-bench',
    graph: {
      name: 'nchwc-check',
      node: [...b.nodes, ...outputs],
      initializer: b.initializers,
      input: inputs.map((i) => floatInput(i.name, i.dims)),
      output: outputs.map((n) => floatOutput(n.output![0]!)),
    },
  });
  return { model, inputs, pairs: channels.length };
}
