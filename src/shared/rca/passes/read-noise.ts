/**
 * Read-noise pass: each cell read carries relative noise, so a column's partial sum gets
 *   p_t ← p_t + z · √(Σ_r x_r² · v_rc),   z ~ N(0, 1) per output and run
 * where v holds each cell's (σ_read · G)² as a fed tensor (the same product op on x², then √).
 * RandomNormalLike is seeded per (session seed, layer, tile): chips in one session advance it.
 */
import { onnx } from '../../nn/onnx';
import { Rng } from '../../random';
import type { TileLayout } from '../transform';
import type { Builder } from './builder';
import type { LayerContext } from './context';
import { layerProduct } from './tiles';

export function seedFor(seed: number, layer: number, tile: number): number {
  return (
    (new Rng(seed ^ Math.imul(layer + 1, 0x9e3779b1) ^ Math.imul(tile + 1, 0x85ebca6b)).nextUint32() %
      1_000_000) +
    1
  );
}

export function readNoisePass(
  ctx: LayerContext,
  slice: string,
  partial: string,
  tile: TileLayout,
  t: number,
  tag: string,
): string {
  if (!tile.variance) return partial;
  const variance = ctx.b.input(tile.variance, tile.dims);
  const product = (x: string, w: string, suffix: string) => layerProduct(ctx, x, w, suffix);
  return addReadNoise(
    ctx.b,
    product,
    slice,
    partial,
    variance,
    seedFor(ctx.graphOptions.noiseSeed, ctx.layer.index, t),
    tag,
  );
}

/**
 * The read noise itself, for any layout: the layer's own product (one chip's MatMul/Conv, or the
 * batched one over K chips) on x² against the fed variance, √, times a fresh N(0, 1).
 */
export function addReadNoise(
  b: Builder,
  product: (x: string, w: string, suffix: string) => string,
  slice: string,
  partial: string,
  variance: string,
  seed: number,
  tag: string,
): string {
  const squared = b.node('Mul', [slice, slice], `${tag}/x2`);
  const spread = b.node('Sqrt', [product(squared, variance, `${tag}/var`)], `${tag}/sd`);
  const noise = b.node('RandomNormalLike', [partial], `${tag}/z`, {
    dtype: { int: onnx.TensorProto.DataType.FLOAT },
    seed: { float: seed },
  });
  return b.node('Add', [partial, b.node('Mul', [spread, noise], `${tag}/noise`)], `${tag}/psum_noisy`);
}
