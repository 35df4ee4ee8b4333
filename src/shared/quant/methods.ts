/**
 * Every prediction method, declared once: its label, colour and what it is. A new quantizer is
 * one entry here (the type makes a missing label or colour a compile error) plus its code in
 * quantize.ts.
 */
import type { MarkerShape } from '../charts/svg';
import { QUANT_METHODS, type QuantMethod } from './quantize';

export type PredictMethod = 'float' | QuantMethod;
export const PREDICT_METHODS = ['float', ...QUANT_METHODS] as const satisfies readonly PredictMethod[];

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

export const METHODS: Readonly<Record<PredictMethod, MethodInfo>> = {
  float: {
    label: 'float',
    color: '#8c959f',
    marker: 'circle',
    dash: '5 4',
    description: 'the trained network, unquantized',
    perChip: false,
  },
  'ideal-linear': {
    label: 'ideal linear',
    color: '#a371f7',
    marker: 'diamond',
    dash: '2 3',
    description: 'evenly spaced levels: what a perfectly linear device would give',
    perChip: false,
  },
  linear: {
    label: 'linear',
    color: '#f85149',
    marker: 'square',
    description: 'levels chosen on a linear grid, written to the real device (the baseline)',
    perChip: true,
  },
  mes: {
    label: 'MES',
    color: '#388bfd',
    marker: 'circle',
    description: 'minimum error substitution: the measured level nearest to each weight',
    perChip: true,
  },
  'mes-sigma': {
    label: 'MES-σ',
    color: '#3fb950',
    marker: 'triangle',
    dash: '6 3',
    description: 'MES minimising the expected error under each level’s programming σ',
    perChip: true,
  },
  'mes-sigma-gain': {
    label: 'MES-σ gain 1',
    color: '#2ea8a0',
    marker: 'down',
    dash: '2 2',
    description:
      'MES-σ’s levels with α raised so each layer keeps its gain (Σw·ŵ = Σw²): no shrinkage to compound through a deep network',
    perChip: true,
  },
  'mes-pair': {
    label: 'MES pair',
    color: '#d29922',
    marker: 'cross',
    dash: '8 3 2 3',
    description: 'any pair of levels realises a weight: G⁺ − G⁻ over all pairs',
    perChip: true,
  },
  'mes-pair-sigma': {
    label: 'MES pair-σ',
    color: '#db61a2',
    marker: 'diamond',
    dash: '4 2',
    description: 'pairs chosen for the least expected error under σ',
    perChip: true,
  },
};
