/**
 * ONNX model I/O on protobufjs (the generated `onnx-proto` classes): decode, encode, and typed
 * access to tensors, attributes and nodes. Pure: runs in Node, the renderer and workers.
 */
import onnxProto from 'onnx-proto';
import { ReramError } from '../errors';
import { utf8Decode, utf8Encode } from '../text';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

export class ModelError extends ReramError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('MODEL', message, details);
    this.name = 'ModelError';
  }
}

/** protobufjs gives int64 fields as Long objects where the long package is present. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** Bounds every loop that walks a model: no file can make us allocate or iterate without end. */
export const MODEL_LIMITS = {
  /** A model file (protobuf cannot hold more than 2 GiB anyway). */
  bytes: 1024 * 1024 * 1024,
  nodes: 100_000,
  initializers: 100_000,
  rank: 8,
  /** Largest single dimension. */
  dim: 1 << 24,
  /** Largest tensor, and all initializers together, in elements. */
  elements: 1 << 27,
} as const;

const ELEMENT_BYTES: Partial<Record<number, number>> = {
  1: 4,
  2: 1,
  3: 1,
  4: 2,
  5: 2,
  6: 4,
  7: 8,
  9: 1,
  10: 2,
  11: 8,
  12: 4,
  13: 8,
  16: 2,
};

/** Checks every initializer's dims against its data and against sane limits, before any loop. */
export function validateModel(model: ModelProto, sourceName: string): void {
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const inits = graph.initializer ?? [];
  if (nodes.length > MODEL_LIMITS.nodes)
    throw new ModelError(
      `${sourceName} has ${nodes.length} nodes; at most ${MODEL_LIMITS.nodes} are supported.`,
    );
  if (inits.length > MODEL_LIMITS.initializers)
    throw new ModelError(
      `${sourceName} has ${inits.length} initializers; at most ${MODEL_LIMITS.initializers}.`,
    );
  let total = 0;
  for (const tensor of inits) {
    const name = tensor.name ?? '(unnamed)';
    const raw = tensor.dims ?? [];
    if (raw.length > MODEL_LIMITS.rank)
      throw new ModelError(
        `Tensor '${name}' in ${sourceName} has rank ${raw.length} (at most ${MODEL_LIMITS.rank}).`,
      );
    let count = 1;
    for (const d of raw) {
      const dim = toNumber(d as number);
      if (!Number.isSafeInteger(dim) || dim < 0 || dim > MODEL_LIMITS.dim)
        throw new ModelError(
          `Tensor '${name}' in ${sourceName} has a dimension of ${dim} (each must be 0…${MODEL_LIMITS.dim}).`,
        );
      count *= dim;
    }
    if (count > MODEL_LIMITS.elements)
      throw new ModelError(
        `Tensor '${name}' in ${sourceName} has ${count} elements (at most ${MODEL_LIMITS.elements}).`,
      );
    total += count;
    if (total > MODEL_LIMITS.elements)
      throw new ModelError(`${sourceName} holds more than ${MODEL_LIMITS.elements} weights in all.`);
    const width = ELEMENT_BYTES[tensor.dataType ?? 0];
    const rawBytes = tensor.rawData?.length ?? 0;
    if (rawBytes > 0 && width !== undefined && rawBytes !== count * width)
      throw new ModelError(
        `Tensor '${name}' in ${sourceName} has ${rawBytes} bytes of data for shape [${raw.map((d) => toNumber(d as number)).join(', ')}] (${count * width} expected).`,
      );
    if (
      rawBytes === 0 &&
      tensor.dataType === FLOAT &&
      (tensor.floatData ?? []).length !== count &&
      !tensor.dataLocation
    )
      throw new ModelError(
        `Tensor '${name}' in ${sourceName} has ${(tensor.floatData ?? []).length} values for ${count} elements.`,
      );
  }
}

export function decodeModel(bytes: Uint8Array, sourceName = 'model'): ModelProto {
  if (bytes.length > MODEL_LIMITS.bytes)
    throw new ModelError(
      `${sourceName} is ${bytes.length} bytes; models up to ${MODEL_LIMITS.bytes} bytes are supported.`,
    );
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new ModelError(`${sourceName} is not a valid ONNX file: ${(error as Error).message}`);
  }
  if (!model.graph || (model.graph.node ?? []).length === 0)
    throw new ModelError(`${sourceName} has no graph: is it an ONNX model?`);
  validateModel(model, sourceName);
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function cloneModel(model: ModelProto): ModelProto {
  return onnx.ModelProto.decode(encodeModel(model));
}

export function dimsOf(tensor: TensorProto): number[] {
  return (tensor.dims ?? []).map((d) => toNumber(d as number));
}

/** A FLOAT initializer's values, from raw_data (little-endian) or float_data. */
export function tensorValues(tensor: TensorProto): Float32Array {
  if (tensor.dataType !== FLOAT)
    throw new ModelError(`Tensor '${tensor.name}' is not float32 (data type ${tensor.dataType}).`);
  const size = dimsOf(tensor).reduce((a, b) => a * b, 1);
  if (tensor.rawData && tensor.rawData.length > 0) {
    if (tensor.rawData.length !== size * 4)
      throw new ModelError(`Tensor '${tensor.name}' has ${tensor.rawData.length} bytes for ${size} values.`);
    const copy = new Uint8Array(tensor.rawData);
    const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
    // A plain loop: Float32Array.from with a callback is about ten times slower.
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(i * 4, true);
    return values;
  }
  const values = Float32Array.from(tensor.floatData ?? []);
  if (values.length !== size)
    throw new ModelError(
      `Tensor '${tensor.name}' has ${values.length} values for shape [${dimsOf(tensor).join(', ')}].`,
    );
  return values;
}

export function floatTensor(
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
): onnxProto.onnx.TensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: FLOAT, rawData: bytes });
}

export function int64Tensor(
  name: string,
  dims: readonly number[],
  values: readonly number[],
): onnxProto.onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: INT64, int64Data: [...values] });
}

export type AttributeValue = number | number[] | string | TensorProto;

export function attribute(node: NodeProto, name: string): AttributeValue | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  if (!a) return undefined;
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return toNumber(a.i as number);
    case T.INTS:
      return (a.ints ?? []).map((v) => toNumber(v as number));
    case T.FLOAT:
      return a.f ?? 0;
    case T.FLOATS:
      return a.floats ?? [];
    case T.STRING:
      return utf8Decode(a.s ?? new Uint8Array());
    case T.TENSOR:
      return a.t ?? undefined;
    default:
      return undefined;
  }
}

export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const v = attribute(node, name);
  return typeof v === 'number' ? v : fallback;
}

export function floatAttr(node: NodeProto, name: string, fallback: number): number {
  const v = attribute(node, name);
  return typeof v === 'number' ? v : fallback;
}

/** An attribute with its ONNX type said, not guessed from the value (a float seed of 7 is still a float). */
export type AttrInput =
  | { int: number }
  | { float: number }
  | { ints: number[] }
  | { floats: number[] }
  | { string: string }
  | { tensor: onnxProto.onnx.ITensorProto };

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attrs: Record<string, AttrInput> = {},
): onnxProto.onnx.NodeProto {
  const T = onnx.AttributeProto.AttributeType;
  const attribute = Object.entries(attrs).map(([key, value]) => {
    if ('int' in value) return { name: key, type: T.INT, i: value.int };
    if ('float' in value) return { name: key, type: T.FLOAT, f: value.float };
    if ('ints' in value) return { name: key, type: T.INTS, ints: value.ints };
    if ('floats' in value) return { name: key, type: T.FLOATS, floats: value.floats };
    if ('string' in value) return { name: key, type: T.STRING, s: utf8Encode(value.string) };
    return { name: key, type: T.TENSOR, t: value.tensor };
  });
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name, attribute });
}

/** An attribute as {@link makeNode} takes it, its ONNX type kept; undefined for a tensor or graph. */
export function attributeInput(a: onnxProto.onnx.IAttributeProto): AttrInput | undefined {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return { int: toNumber(a.i as number) };
    case T.INTS:
      return { ints: (a.ints ?? []).map((v) => toNumber(v as number)) };
    case T.FLOAT:
      return { float: a.f ?? 0 };
    case T.FLOATS:
      return { floats: a.floats ?? [] };
    case T.STRING:
      return { string: utf8Decode(a.s ?? new Uint8Array()) };
    default:
      return undefined;
  }
}

/** A node's attributes of these names, to copy onto another node. */
export function copyAttributes(node: NodeProto, names: readonly string[]): Record<string, AttrInput> {
  const attrs: Record<string, AttrInput> = {};
  for (const a of node.attribute ?? []) {
    const value = names.includes(a.name!) ? attributeInput(a) : undefined;
    if (value) attrs[a.name!] = value;
  }
  return attrs;
}

/** Float output value info with an unknown shape (ORT infers it). */
export function floatOutput(name: string): onnxProto.onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: FLOAT } } });
}

/** A float graph input of fixed shape (a tensor fed at run time). */
export function floatInput(name: string, dims: readonly number[]): onnxProto.onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
}

/** The model's opset of the default ONNX domain. */
export function modelOpset(model: ModelProto): number {
  return Math.max(
    ...(model.opsetImport ?? []).filter((o) => !o.domain).map((o) => toNumber(o.version as number)),
  );
}

export function inputShape(model: ModelProto): { name: string; dims: Array<number | string> } {
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const input = (graph.input ?? []).find((i) => !initializers.has(i.name));
  if (!input) throw new ModelError('The model has no data input.');
  const dims = (input.type?.tensorType?.shape?.dim ?? []).map((d) =>
    d.dimParam ? d.dimParam : toNumber(d.dimValue as number),
  );
  return { name: input.name!, dims };
}
