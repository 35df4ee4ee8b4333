/**
 * DAC pass: each layer input is quantized to the DAC's codes before it drives the rows,
 *   x_q = Δ_dac · clip(round(x / Δ_dac), code_min, code_max)
 * with Δ_dac and the code range fed per calibration (not baked), so one graph serves every chip.
 */
import { quantizeOps } from './builder';
import type { LayerContext } from './context';

export function dacPass({ b, layer, options, converters }: LayerContext, input: string): string {
  if (!converters || options.dac.bits === null) return input;
  const dac = layer.dac;
  return quantizeOps(
    b,
    input,
    b.input(dac.inverseStep, []),
    b.input(dac.step, []),
    [b.input(dac.codeMin, []), b.input(dac.codeMax, [])],
    'dac',
  );
}
