/**
 * Sum and bias pass: the tiles' digitised partial sums add up digitally, then the layer's bias
 * (times Gemm's β) is added in float, as a digital periphery would:
 *   y = Σ_t p_t + β·bias
 */
import { tensorValues, type NodeProto, type TensorProto } from '../../nn/onnx';
import type { PlannedLayer } from '../transform';
import type { Builder } from './builder';
import type { LayerContext } from './context';

export function sumAndBiasPass(ctx: LayerContext, partials: string[]): string {
  const { b, node, layer, isConv, initializers } = ctx;
  const out = partials.length === 1 ? partials[0]! : b.node('Sum', partials, 'sum');
  const bias = biasConstant(b, node, layer, initializers, isConv ? [layer.cols, 1, 1] : [layer.cols]);
  return bias ? b.node('Add', [out, bias], 'biased') : out;
}

/** The layer's bias times Gemm's β, as a constant of the given dims; undefined without one. */
export function biasConstant(
  b: Builder,
  node: NodeProto,
  layer: PlannedLayer,
  initializers: Map<string, TensorProto>,
  dims: number[],
): string | undefined {
  const biasName = node.input![2];
  if (!biasName) return undefined;
  const bias = tensorValues(initializers.get(biasName)!);
  return b.const(
    Float32Array.from(bias, (v) => v * layer.gemmBeta),
    dims,
    'bias',
  );
}
