/**
 * Tiles pass: a layer's weight matrix split into crossbar tiles of at most rows × cols cells. Tile
 * t reads its slice of the input, x[r0:r1] (whole input channels for a Conv), and makes its
 * partial sum with the layer's own op on its fed conductance-difference weights,
 *   p_t = x[r0:r1] · W_t        (Conv: the same convolution over its channels)
 */
import { copyAttributes, type AttrInput, type NodeProto } from '../../nn/onnx';
import { sliceAxis } from './builder';
import type { LayerContext } from './context';
import type { TileLayout } from '../transform';

/** The op of the layer (Conv with its geometry, or MatMul) on another input and weight. */
export function layerProduct(ctx: LayerContext, x: string, w: string, suffix: string): string {
  const { b, isConv, node } = ctx;
  if (!isConv) return b.node('MatMul', [x, w], suffix);
  return b.node('Conv', [x, w], suffix, convAttributes(node));
}

/** A Conv node's geometry (padding, strides, dilations, kernel), to copy onto another Conv. */
export function convAttributes(node: NodeProto): Record<string, AttrInput> {
  return copyAttributes(node, ['auto_pad', 'pads', 'strides', 'dilations', 'kernel_shape']);
}

/** The tile's input: the whole input in place (a Slice would copy it), or its rows/channels. */
export function tileInput(ctx: LayerContext, input: string, tile: TileLayout, tag: string): string {
  const { b, isConv, layer } = ctx;
  const start = isConv ? tile.c0 : tile.r0;
  const end = isConv ? tile.c0 + tile.channels : tile.r1;
  const whole = start === 0 && end === (isConv ? layer.weightDims[1]! : layer.rows);
  return whole ? input : sliceAxis(b, input, start, end, 1, tag);
}

export function tileProduct(ctx: LayerContext, slice: string, tile: TileLayout, tag: string): string {
  return layerProduct(ctx, slice, ctx.b.input(tile.weights, tile.dims), `${tag}/psum`);
}
