/**
 * What a quantization method is, declared once: how it looks on a chart, what it needs, and its
 * two functions. `choose` maps a layer's weights onto levels (and α); `realizable` lists the
 * weight values it can produce at a given α, for plotting levels over a weight histogram.
 */
import type { MarkerShape } from '../../charts/svg';
import type { MappingScheme, QuantMethod, ScaleMode } from '../core';

/** A chart's entry for a method (also float's, which is not a quantizer). */
export interface MethodInfo {
  label: string;
  /** Plot colour, readable on light and dark backgrounds. */
  color: string;
  /** Marker and line dash: methods that land on the same accuracy stay apart by shape. */
  marker: MarkerShape;
  dash?: string;
  description: string;
  /** Its accuracy varies from chip to chip (programmed cells, read noise). */
  perChip: boolean;
}

/** One layer, checked: weights, their largest magnitude m, the levels and their σ. */
export interface LayerInput {
  weights: ArrayLike<number>;
  n: number;
  m: number;
  levels: readonly number[];
  sigma: readonly number[];
  L: number;
  g0: number;
  span: number;
  scheme: MappingScheme;
  scale: ScaleMode;
}

/** Where each weight went: α, the levels of its pair (or cell and REFERENCE), the value realised. */
export interface Choice {
  alpha: number;
  plus: Int32Array;
  minus: Int32Array;
  levelIndex: Int32Array;
  realized: Float64Array;
}

export interface Quantizer extends MethodInfo {
  id: QuantMethod;
  /** The mapping schemes it can work in, and why not in the others. */
  schemes: readonly MappingScheme[];
  schemeNote?: string;
  /** The method it equals exactly when every σ is 0 (σ-aware methods); it then runs that one. */
  atSigmaZero?: QuantMethod;
  /** A perfect device: no programming spread counts in its expected error. */
  ideal?: boolean;
  choose(input: LayerInput): Choice;
  realizable(scheme: MappingScheme, alpha: number, levels: readonly number[]): number[];
}

export function emptyChoice(n: number): Omit<Choice, 'alpha'> {
  return {
    plus: new Int32Array(n),
    minus: new Int32Array(n),
    levelIndex: new Int32Array(n),
    realized: new Float64Array(n),
  };
}

/** The values α·(G_k − reference): what a one-cell-per-weight method realises. */
export function levelValues(scheme: MappingScheme, alpha: number, levels: readonly number[]): number[] {
  const L = levels.length;
  const reference = scheme === 'differential' ? levels[0]! : (levels[0]! + levels[L - 1]!) / 2;
  return levels.map((g) => alpha * (g - reference));
}
