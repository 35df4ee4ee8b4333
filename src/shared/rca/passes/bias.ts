/**
 * Sum and bias pass: the tiles' digitised partial sums add up digitally, then the layer's bias
 * (times Gemm's β) is added in float, as a digital periphery would:
 *   y = Σ_t p_t + β·bias
 */
import { tensorValues } from '../../nn/onnx';
import type { LayerContext } from './context';

export function sumAndBiasPass(ctx: LayerContext, partials: string[]): string {
  const { b, node, layer, isConv, initializers } = ctx;
  let out = partials.length === 1 ? partials[0]! : b.node('Sum', partials, 'sum');
  const biasName = node.input![2];
  if (biasName) {
    const bias = tensorValues(initializers.get(biasName)!);
    out = b.node(
      'Add',
      [
        out,
        b.const(
          Float32Array.from(bias, (v) => v * layer.gemmBeta),
          isConv ? [layer.cols, 1, 1] : [layer.cols],
          'bias',
        ),
      ],
      'biased',
    );
  }
  return out;
}
