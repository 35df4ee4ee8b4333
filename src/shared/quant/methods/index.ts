/**
 * Every method, declared once. A quantizer is its own file in this folder (its formula in the
 * header, its chart entry, the schemes it supports, the σ-free method it equals, `choose` and
 * `realizable`) plus one line in QUANTIZERS below; every list of methods, every default and every
 * scheme check reads this table.
 */
import { idealLinear } from './ideal-linear';
import { linear } from './linear';
import { mes } from './mes';
import { mesPair } from './mes-pair';
import { mesPairSigma } from './mes-pair-sigma';
import { mesSigma } from './mes-sigma';
import { mesSigmaGain } from './mes-sigma-gain';
import type { MethodInfo, Quantizer } from './quantizer';

export type { LayerInput, MethodInfo, Quantizer } from './quantizer';

/** The quantizers, in the order reports and charts list them. */
export const QUANTIZERS = {
  'ideal-linear': idealLinear,
  linear,
  mes,
  'mes-sigma': mesSigma,
  'mes-sigma-gain': mesSigmaGain,
  'mes-pair': mesPair,
  'mes-pair-sigma': mesPairSigma,
} as const satisfies Record<string, Quantizer>;

export type QuantMethod = keyof typeof QUANTIZERS;
export const QUANT_METHODS = Object.keys(QUANTIZERS) as [QuantMethod, ...QuantMethod[]];

export type PredictMethod = 'float' | QuantMethod;
export const PREDICT_METHODS = ['float', ...QUANT_METHODS] as [PredictMethod, ...PredictMethod[]];

const FLOAT: MethodInfo = {
  label: 'float',
  color: '#8c959f',
  marker: 'circle',
  dash: '5 4',
  description: 'the trained network, unquantized',
  perChip: false,
};

/** Each method's chart entry (float's too). */
export const METHODS: Readonly<Record<PredictMethod, MethodInfo>> = {
  float: FLOAT,
  ...(QUANTIZERS as Record<QuantMethod, MethodInfo>),
};

/** Whether a method works in a mapping scheme (float works in every one). */
export function worksIn(method: PredictMethod, scheme: Quantizer['schemes'][number]): boolean {
  return method === 'float' || QUANTIZERS[method].schemes.includes(scheme);
}
