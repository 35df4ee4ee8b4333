/**
 * Pooling before the read-out, where that is exact: a Conv crossbar followed (through ReLUs only)
 * by a MaxPool pools its raw partial sums and digitises the pooled ones, a quarter of them for
 * a 2×2 pool.
 *
 * Why it is exact. The read-out after a one-tile product p is f(p) = relu(Δ·clip(round(p′), −m, m)
 * + b) per column, with p′ = p/Δ and Δ > 0: every step is non-decreasing, so for any window
 *   max_i f(p_i) = f(max_i p_i),
 * and max returns one of the window's own floats, so the result is bit for bit the same. It is not
 * exact for a tiled layer (a sum of digitised tiles) or with read noise (a draw per output), so
 * those digitise every partial sum. A tiled layer can still pool the sum s of its read-outs: what
 * follows it, relu(s + b), is non-decreasing in s, so the bias and the ReLUs act on the pooled
 * quarter (rca/batched.ts, where its tiles run on the blocked kernels one chip at a time). A calibration probe's ADC tap needs every partial sum, negatives
 * included: the batched probe taps the product before its pool (rca/batched.ts prePoolTap); the
 * one-chip probe keeps the model's order.
 */
import { copyAttributes, type AttrInput, type GraphProto, type NodeProto } from '../nn/onnx';
import type { CrossbarPlan, PlannedLayer } from './transform';

/** The MaxPool attributes the blocked kernels and ONNX's MaxPool both take. */
const POOL_ATTRIBUTES = ['auto_pad', 'kernel_shape', 'dilations', 'strides', 'pads', 'ceil_mode'];

export interface PoolFirst {
  /** The MaxPool's attributes, for the pool inserted after the product. */
  attrs: Record<string, AttrInput>;
  /** The model's MaxPool, which becomes an Identity. */
  node: NodeProto;
}

function consumers(graph: GraphProto, name: string): NodeProto[] {
  return (graph.node ?? []).filter((n) => (n.input ?? []).includes(name));
}

/** The MaxPool's attributes, if the blocked kernels take them all (storage_order only shapes the unused Indices output). */
function poolAttributes(node: NodeProto): Record<string, AttrInput> | undefined {
  const names = (node.attribute ?? []).map((a) => a.name!).filter((name) => name !== 'storage_order');
  if (names.some((name) => !POOL_ATTRIBUTES.includes(name))) return undefined;
  const attrs = copyAttributes(node, names);
  return Object.keys(attrs).length === names.length ? attrs : undefined;
}

/**
 * The MaxPool a Conv crossbar's outputs reach through ReLUs only, each the sole reader of the
 * one before, when pooling first is exact for this layer; undefined otherwise.
 */
export function poolFirst(graph: GraphProto, node: NodeProto, layer: PlannedLayer): PoolFirst | undefined {
  if (layer.tiles.length !== 1 || layer.tiles[0]!.variance) return undefined;
  return poolAfter(graph, node, layer);
}

/** The MaxPool a Conv crossbar's outputs reach through ReLUs only (each the sole reader of the one before), whatever its tiles. */
export function poolAfter(graph: GraphProto, node: NodeProto, layer: PlannedLayer): PoolFirst | undefined {
  if (layer.op !== 'Conv') return undefined;
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  let value = node.output![0]!;
  for (;;) {
    if (outputs.has(value)) return undefined;
    const next = consumers(graph, value);
    if (next.length !== 1 || next[0]!.input![0] !== value) return undefined;
    const reader = next[0]!;
    if (reader.opType === 'Relu' && !reader.domain) {
      value = reader.output![0]!;
      continue;
    }
    const indices = reader.output![1];
    if (reader.opType !== 'MaxPool' || reader.domain || (indices && indices !== '')) return undefined;
    const attrs = poolAttributes(reader);
    return attrs ? { attrs, node: reader } : undefined;
  }
}

/**
 * Every layer's {@link poolFirst}, found in `graph` (the plan's model, cloned) before any layer is
 * rewritten, since rewriting changes who reads what.
 */
export function poolsFirst(plan: CrossbarPlan, graph: GraphProto): Map<string, PoolFirst | undefined> {
  return new Map(plan.layers.map((l) => [l.name, poolFirst(graph, graph.node![l.nodeIndex]!, l)]));
}

/** Every layer's {@link poolAfter}, found before any layer is rewritten. */
export function poolsAfter(plan: CrossbarPlan, graph: GraphProto): Map<string, PoolFirst | undefined> {
  return new Map(plan.layers.map((l) => [l.name, poolAfter(graph, graph.node![l.nodeIndex]!, l)]));
}

/** The model's MaxPool after the pool moved before the read-out: it passes its input on. */
export function bypassPool(pool: PoolFirst): void {
  pool.node.opType = 'Identity';
  pool.node.attribute = [];
  pool.node.output = [pool.node.output![0]!];
}
