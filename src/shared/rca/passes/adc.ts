/**
 * ADC pass: each column's partial sum is read by a signed ADC of b bits,
 *   p_q = Δ_c · clip(round(p / Δ_c), −(2^(b−1) − 1), 2^(b−1) − 1)
 * with the per-column step Δ_c fed from the calibration (one graph, many chips).
 */
import type { TileLayout } from '../transform';
import { quantizeOps } from './builder';
import type { LayerContext } from './context';

export function adcPass(ctx: LayerContext, partial: string, tile: TileLayout, tag: string): string {
  const { b, converters, options, isConv, layer } = ctx;
  if (!converters || options.adc.bits === null) return partial;
  const adcSteps = 2 ** (options.adc.bits - 1) - 1;
  const broadcast = isConv ? [layer.cols, 1, 1] : [layer.cols];
  return quantizeOps(
    b,
    partial,
    b.input(tile.adcInverseStep, broadcast),
    b.input(tile.adcStep, broadcast),
    [b.const([-adcSteps], [], `${tag}/adc_code_min`), b.const([adcSteps], [], `${tag}/adc_code_max`)],
    `${tag}/adc`,
  );
}
