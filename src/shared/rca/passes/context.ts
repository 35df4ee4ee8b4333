/** What each pass sees of the layer it rewrites. */
import type { NodeProto, TensorProto } from '../../nn/onnx';
import type { CrossbarOptions, GraphOptions, PlannedLayer } from '../transform';
import type { Builder } from './builder';

export interface LayerContext {
  b: Builder;
  layer: PlannedLayer;
  /** The layer's original Conv/MatMul/Gemm node. */
  node: NodeProto;
  options: CrossbarOptions;
  graphOptions: GraphOptions;
  /** The ADC and DAC are in this graph (not the float method, not the calibration probe). */
  converters: boolean;
  isConv: boolean;
  initializers: Map<string, TensorProto>;
}
