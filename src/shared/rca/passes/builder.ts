/**
 * The node builder the passes share: every name it makes is `xbar/<layer>/<suffix>`, so the
 * rewritten graph is deterministic, and what it adds (nodes, constants, fed inputs) is collected
 * for the rewire pass to splice in.
 */
import { floatInput, floatTensor, int64Tensor, makeNode, type NodeProto } from '../../nn/onnx';

export interface Builder {
  nodes: NodeProto[];
  initializers: ReturnType<typeof floatTensor>[];
  inputs: ReturnType<typeof floatInput>[];
  name(suffix: string): string;
  const(values: ArrayLike<number>, dims: number[], suffix: string): string;
  int64(values: number[], suffix: string): string;
  /** A tensor fed per chip (or per calibration). */
  input(name: string, dims: number[]): string;
  node(op: string, inputs: string[], suffix: string, attrs?: Parameters<typeof makeNode>[4]): string;
}

export function builder(prefix: string): Builder {
  const b: Builder = {
    nodes: [],
    initializers: [],
    inputs: [],
    name: (suffix) => `${prefix}/${suffix}`,
    const(values, dims, suffix) {
      const name = b.name(suffix);
      b.initializers.push(floatTensor(name, dims, values));
      return name;
    },
    int64(values, suffix) {
      const name = b.name(suffix);
      b.initializers.push(int64Tensor(name, [values.length], values));
      return name;
    },
    input(name, dims) {
      b.inputs.push(floatInput(name, dims));
      return name;
    },
    node(op, inputs, suffix, attrs = {}) {
      const out = b.name(suffix);
      b.nodes.push(makeNode(op, inputs, [out], out, attrs));
      return out;
    },
  };
  return b;
}

/**
 * ReduceMax/ReduceMin with keepdims 0, over `axes` or, without them, over every axis (a scalar).
 * Before opset 18 the axes are an attribute; from it, an input.
 */
export function reduce(
  b: Builder,
  op: 'ReduceMax' | 'ReduceMin',
  x: string,
  axes: number[] | undefined,
  opset: number,
  suffix: string,
): string {
  const keep = { keepdims: { int: 0 } };
  if (!axes) return b.node(op, [x], suffix, keep);
  if (opset >= 18) return b.node(op, [x, b.int64(axes, `${suffix}_axes`)], suffix, keep);
  return b.node(op, [x], suffix, { axes: { ints: axes }, ...keep });
}

/** x[…, start:end, …] on one axis, named `<tag>/x` (its bounds `<tag>/start`, `/end`, `/axis`). */
export function sliceAxis(
  b: Builder,
  x: string,
  start: number,
  end: number,
  axis: number,
  tag: string,
): string {
  const bounds = [
    b.int64([start], `${tag}/start`),
    b.int64([end], `${tag}/end`),
    b.int64([axis], `${tag}/axis`),
  ];
  return b.node('Slice', [x, ...bounds], `${tag}/x`);
}

/**
 * An ideal quantizer in four ops: scale to codes, round, clip the codes, scale back. Rounding
 * before clipping is exact here because the clip bound is a whole number of steps.
 *   y = step · clip(round(x / step), codeMin, codeMax)
 */
export function quantizeOps(
  b: Builder,
  input: string,
  inverseStep: string,
  step: string,
  codes: [string, string],
  prefix: string,
): string {
  const scaled = b.node('Mul', [input, inverseStep], `${prefix}_scaled`);
  const rounded = b.node('Round', [scaled], `${prefix}_round`);
  const clipped = b.node('Clip', [rounded, codes[0], codes[1]], `${prefix}_clip`);
  return b.node('Mul', [clipped, step], `${prefix}_out`);
}
