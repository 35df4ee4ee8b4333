/** Small ONNX models built in TypeScript, with known weights, for exact crossbar checks. */
import { floatOutput, floatTensor, makeNode, onnx, type ModelProto } from '../../src/shared/nn/onnx';

function input(name: string, dims: Array<number | string>) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function model(
  nodes: ReturnType<typeof makeNode>[],
  initializers: ReturnType<typeof floatTensor>[],
  inputs: ReturnType<typeof input>[],
  output: string,
): ModelProto {
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'reram-bench tests',
    graph: {
      name: 'test',
      node: nodes,
      initializer: initializers,
      input: inputs,
      output: [floatOutput(output)],
    },
  });
}

/** y = x·W + b with W K×N (MatMul layout) or Gemm with transB. */
export function gemmModel(
  K: number,
  N: number,
  weights: ArrayLike<number>,
  bias?: ArrayLike<number>,
  transB = false,
): ModelProto {
  const inits = [floatTensor('W', transB ? [N, K] : [K, N], weights)];
  if (bias) inits.push(floatTensor('b', [N], bias));
  return model(
    [makeNode('Gemm', bias ? ['x', 'W', 'b'] : ['x', 'W'], ['y'], 'fc', { transB: { int: transB ? 1 : 0 } })],
    inits,
    [input('x', ['batch', K])],
    'y',
  );
}

export function matmulModel(K: number, N: number, weights: ArrayLike<number>): ModelProto {
  return model(
    [makeNode('MatMul', ['x', 'W'], ['y'], 'mm')],
    [floatTensor('W', [K, N], weights)],
    [input('x', ['batch', K])],
    'y',
  );
}

/** Conv → BatchNormalization → Relu, as exported by frameworks before folding. */
export function convBnModel(cin: number, cout: number, k: number, seed: number): ModelProto {
  let state = seed;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const w = Array.from({ length: cout * cin * k * k }, rand);
  const bias = Array.from({ length: cout }, rand);
  const gamma = Array.from({ length: cout }, () => 1 + 0.5 * rand());
  const beta = Array.from({ length: cout }, rand);
  const mean = Array.from({ length: cout }, rand);
  const variance = Array.from({ length: cout }, () => 0.5 + Math.abs(rand()));
  return model(
    [
      makeNode('Conv', ['x', 'W', 'B'], ['c'], 'conv', {
        kernel_shape: { ints: [k, k] },
        pads: { ints: [1, 1, 1, 1] },
      }),
      makeNode('BatchNormalization', ['c', 'gamma', 'beta', 'mean', 'var'], ['n'], 'bn', {
        epsilon: { float: 1e-3 },
      }),
      makeNode('Relu', ['n'], ['y'], 'relu'),
    ],
    [
      floatTensor('W', [cout, cin, k, k], w),
      floatTensor('B', [cout], bias),
      floatTensor('gamma', [cout], gamma),
      floatTensor('beta', [cout], beta),
      floatTensor('mean', [cout], mean),
      floatTensor('var', [cout], variance),
    ],
    [input('x', ['batch', cin, 8, 8])],
    'y',
  );
}

export function unsupportedModel(): ModelProto {
  return model(
    [makeNode('Gemm', ['x', 'W'], ['h'], 'fc'), makeNode('LSTM', ['h'], ['y'], 'recurrent')],
    [floatTensor('W', [4, 4], new Array(16).fill(0.1))],
    [input('x', ['batch', 4])],
    'y',
  );
}

/**
 * A small chain with every layout a batched crossbar meets: an op before the first crossbar
 * (so the data input is repeated per chip), Conv → Relu → strided Conv → Flatten → Gemm with
 * transB, α and β → MatMul. Weights from a seeded generator.
 */
export function chainModel(seed: number): ModelProto {
  let state = seed;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const values = (n: number) => Array.from({ length: n }, rand);
  return model(
    [
      makeNode('Relu', ['x'], ['x_pos'], 'pre'),
      makeNode('Conv', ['x_pos', 'W1', 'B1'], ['c1'], 'conv1', {
        kernel_shape: { ints: [3, 3] },
        pads: { ints: [1, 1, 1, 1] },
      }),
      makeNode('Relu', ['c1'], ['r1'], 'relu1'),
      makeNode('Conv', ['r1', 'W2'], ['c2'], 'conv2', {
        kernel_shape: { ints: [3, 3] },
        strides: { ints: [2, 2] },
      }),
      makeNode('Flatten', ['c2'], ['f'], 'flatten'),
      makeNode('Gemm', ['f', 'W3', 'B3'], ['g'], 'fc1', {
        transB: { int: 1 },
        alpha: { float: 0.5 },
        beta: { float: 2 },
      }),
      makeNode('MatMul', ['g', 'W4'], ['y'], 'fc2'),
    ],
    [
      floatTensor('W1', [3, 2, 3, 3], values(54)),
      floatTensor('B1', [3], values(3)),
      floatTensor('W2', [4, 3, 3, 3], values(108)),
      floatTensor('W3', [5, 16], values(80)),
      floatTensor('B3', [5], values(5)),
      floatTensor('W4', [5, 3], values(15)),
    ],
    [input('x', ['batch', 2, 6, 6])],
    'y',
  );
}

/**
 * Two convolutions wide enough for ONNX Runtime's blocked input layout (rca/nchwc.ts): the first
 * reads the data input (4 channels, so it is shared by every chip), the second 32 channels,
 * which is at least one block on every CPU. Conv 4→32 (3×3, padded) → Relu → Conv 32→6 (3×3) →
 * Flatten → MatMul to 3 outputs, on [batch, 4, 6, 6] inputs.
 */
export function wideConvModel(seed: number): ModelProto {
  let state = seed;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const values = (n: number) => Array.from({ length: n }, rand);
  return model(
    [
      makeNode('Conv', ['x', 'W1', 'B1'], ['c1'], 'conv1', {
        kernel_shape: { ints: [3, 3] },
        pads: { ints: [1, 1, 1, 1] },
      }),
      makeNode('Relu', ['c1'], ['r1'], 'relu1'),
      makeNode('Conv', ['r1', 'W2', 'B2'], ['c2'], 'conv2', { kernel_shape: { ints: [3, 3] } }),
      makeNode('Flatten', ['c2'], ['f'], 'flatten'),
      makeNode('MatMul', ['f', 'W3'], ['y'], 'fc'),
    ],
    [
      floatTensor('W1', [32, 4, 3, 3], values(32 * 36)),
      floatTensor('B1', [32], values(32)),
      floatTensor('W2', [6, 32, 3, 3], values(6 * 32 * 9)),
      floatTensor('B2', [6], values(6)),
      floatTensor('W3', [96, 3], values(288)),
    ],
    [input('x', ['batch', 4, 6, 6])],
    'y',
  );
}

/**
 * Conv 2→4 (3×3, padded) → Relu → MaxPool 2×2 → Flatten → MatMul to 3 outputs, on
 * [batch, 2, 8, 8] inputs: the pattern whose pooling can run before the read-out
 * (rca/pool-first.ts). `shared`: the Conv reads the data input itself; otherwise a Relu comes first.
 */
export function pooledConvModel(seed: number, shared: boolean): ModelProto {
  let state = seed;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const values = (n: number) => Array.from({ length: n }, rand);
  return model(
    [
      ...(shared ? [] : [makeNode('Relu', ['x'], ['x_pos'], 'pre')]),
      makeNode('Conv', [shared ? 'x' : 'x_pos', 'W1', 'B1'], ['c1'], 'conv1', {
        kernel_shape: { ints: [3, 3] },
        pads: { ints: [1, 1, 1, 1] },
      }),
      makeNode('Relu', ['c1'], ['r1'], 'relu1'),
      makeNode('MaxPool', ['r1'], ['p1'], 'pool1', {
        kernel_shape: { ints: [2, 2] },
        strides: { ints: [2, 2] },
      }),
      makeNode('Flatten', ['p1'], ['f'], 'flatten'),
      makeNode('MatMul', ['f', 'W2'], ['y'], 'fc'),
    ],
    [
      floatTensor('W1', [4, 2, 3, 3], values(72)),
      floatTensor('B1', [4], values(4)),
      floatTensor('W2', [64, 3], values(192)),
    ],
    [input('x', ['batch', 2, 8, 8])],
    'y',
  );
}
