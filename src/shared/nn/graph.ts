/**
 * Model analysis: which operators the crossbar pipeline supports, which layers become
 * crossbars (Conv, Gemm, MatMul with constant weights), and batch-norm folding.
 */
import {
  dimsOf,
  floatAttr,
  floatTensor,
  intAttr,
  ModelError,
  tensorValues,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from './onnx';

export const SUPPORTED_OPS = new Set([
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'Relu',
  'Tanh',
  'Sigmoid',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Flatten',
  'Reshape',
  'BatchNormalization',
  'Softmax',
  'Dropout',
  'Identity',
  'Constant',
  'Shape',
  'Gather',
  'Unsqueeze',
  'Concat',
]);

export interface CrossbarLayer {
  /** Node name (or its output when unnamed). */
  name: string;
  op: 'Conv' | 'Gemm' | 'MatMul';
  nodeIndex: number;
  weightName: string;
  weightDims: number[];
  /** Rows (inputs per output) and columns (outputs) of the weight matrix on the crossbar. */
  rows: number;
  cols: number;
}

export interface ModelSummary {
  input: { name: string; dims: Array<number | string> };
  output: string;
  layers: CrossbarLayer[];
  parameters: number;
  ops: Record<string, number>;
}

export function initializerMap(graph: GraphProto): Map<string, TensorProto> {
  return new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
}

export function nodeName(node: NodeProto, index: number): string {
  return node.name || node.output?.[0] || `node_${index}`;
}

/** Throws a ModelError naming every unsupported operator (and where), instead of crashing later. */
export function checkSupported(model: ModelProto): void {
  const bad = (model.graph!.node ?? []).flatMap((node, i) =>
    SUPPORTED_OPS.has(node.opType!) ? [] : [`${node.opType} ('${nodeName(node, i)}')`],
  );
  if (bad.length) {
    throw new ModelError(
      `The model uses operators ReRAM Bench does not support: ${bad.slice(0, 8).join(', ')}${bad.length > 8 ? ` and ${bad.length - 8} more` : ''}.`,
      {
        unsupported: bad,
      },
    );
  }
}

export function crossbarLayers(model: ModelProto): CrossbarLayer[] {
  const graph = model.graph!;
  const inits = initializerMap(graph);
  const layers: CrossbarLayer[] = [];
  (graph.node ?? []).forEach((node, nodeIndex) => {
    const op = node.opType;
    if (op !== 'Conv' && op !== 'Gemm' && op !== 'MatMul') return;
    const weightName = node.input?.[1];
    const weight = weightName ? inits.get(weightName) : undefined;
    if (!weight) return; // activation × activation products are not mapped onto crossbars
    const dims = dimsOf(weight);
    let rows: number;
    let cols: number;
    if (op === 'Conv') {
      if (intAttr(node, 'group', 1) !== 1)
        throw new ModelError(
          `Grouped convolution '${nodeName(node, nodeIndex)}' is not supported on the crossbar.`,
        );
      [cols, rows] = [dims[0]!, dims.slice(1).reduce((a, b) => a * b, 1)];
    } else if (op === 'Gemm') {
      if (intAttr(node, 'transA', 0) !== 0)
        throw new ModelError(`Gemm '${nodeName(node, nodeIndex)}' with transA is not supported.`);
      [rows, cols] = intAttr(node, 'transB', 0) ? [dims[1]!, dims[0]!] : [dims[0]!, dims[1]!];
    } else {
      if (dims.length !== 2)
        throw new ModelError(`MatMul '${nodeName(node, nodeIndex)}' needs a 2-D weight.`);
      [rows, cols] = [dims[0]!, dims[1]!];
    }
    layers.push({
      name: nodeName(node, nodeIndex),
      op,
      nodeIndex,
      weightName: weightName!,
      weightDims: dims,
      rows,
      cols,
    });
  });
  return layers;
}

/** Folds BatchNormalization into a directly preceding Conv or Gemm (inference form). */
export function foldBatchNorm(model: ModelProto): number {
  const graph = model.graph!;
  const inits = initializerMap(graph);
  const nodes = graph.node!;
  const consumers = (name: string) => nodes.filter((n) => (n.input ?? []).includes(name)).length;
  let folded = 0;
  for (let i = 0; i < nodes.length; i++) {
    const bn = nodes[i]!;
    if (bn.opType !== 'BatchNormalization') continue;
    const producer = nodes.find((n) => n.output?.[0] === bn.input![0]);
    if (
      !producer ||
      (producer.opType !== 'Conv' && producer.opType !== 'Gemm') ||
      consumers(bn.input![0]!) !== 1
    )
      continue;
    const params = bn.input!.slice(1, 5).map((name) => inits.get(name));
    if (params.some((p) => !p)) continue;
    const [gamma, beta, mean, variance] = params.map((p) => tensorValues(p!)) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const epsilon = floatAttr(bn, 'epsilon', 1e-5);
    const weight = inits.get(producer.input![1]!)!;
    const w = tensorValues(weight);
    const dims = dimsOf(weight);
    const channels = gamma.length;
    const scale = Float32Array.from(gamma, (g, c) => g / Math.sqrt(variance[c]! + epsilon));
    // Conv: W[out, …]; Gemm: B[K, N] (transB = 0) or B[N, K] (transB = 1).
    const transB = producer.opType === 'Gemm' && intAttr(producer, 'transB', 0) === 1;
    const outAxisFirst = producer.opType === 'Conv' || transB;
    const perOut = outAxisFirst ? w.length / channels : 1;
    for (let k = 0; k < w.length; k++) {
      const c = outAxisFirst ? Math.floor(k / perOut) : k % channels;
      w[k] = w[k]! * scale[c]!;
    }
    const oldBias = producer.input![2]
      ? tensorValues(inits.get(producer.input![2])!)
      : new Float32Array(channels);
    const bias = Float32Array.from(
      { length: channels },
      (_, c) => (oldBias[c]! - mean[c]!) * scale[c]! + beta[c]!,
    );
    const biasName = `${producer.input![1]}_bn_folded_bias`;
    replaceInitializer(graph, floatTensor(producer.input![1]!, dims, w));
    replaceInitializer(graph, floatTensor(biasName, [channels], bias));
    producer.input = [producer.input![0]!, producer.input![1]!, biasName];
    producer.output = [bn.output![0]!];
    nodes.splice(i, 1);
    i--;
    folded++;
  }
  removeUnusedInitializers(graph);
  return folded;
}

export function replaceInitializer(graph: GraphProto, tensor: TensorProto): void {
  const list = graph.initializer!;
  const index = list.findIndex((t) => t.name === tensor.name);
  if (index >= 0) list[index] = tensor;
  else list.push(tensor);
}

export function removeUnusedInitializers(graph: GraphProto): void {
  const used = new Set((graph.node ?? []).flatMap((n) => n.input ?? []));
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name!));
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  // Older exporters list initializers as graph inputs too; drop the ones that are gone.
  graph.input = (graph.input ?? []).filter(
    (i) => !i.name || used.has(i.name) || !initializerNames.has(i.name),
  );
}

export function summarizeModel(model: ModelProto, input: ModelSummary['input']): ModelSummary {
  const ops: Record<string, number> = {};
  for (const node of model.graph!.node ?? []) ops[node.opType!] = (ops[node.opType!] ?? 0) + 1;
  const parameters = (model.graph!.initializer ?? []).reduce(
    (sum, t) => sum + dimsOf(t).reduce((a, b) => a * b, 1),
    0,
  );
  return { input, output: model.graph!.output![0]!.name!, layers: crossbarLayers(model), parameters, ops };
}
