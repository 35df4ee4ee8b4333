/**
 * Rewire pass: the layer's new nodes replace its original node under the original output name,
 * so the rest of the graph is untouched; then weights nothing reads any more leave the
 * initializers and the input list, and the per-chip tensors and calibration taps join the graph.
 */
import { floatOutput, makeNode, type floatInput, type GraphProto, type ModelProto } from '../../nn/onnx';
import type { CrossbarGraph } from '../transform';
import type { LayerContext } from './context';

type FedInput = ReturnType<typeof floatInput>;

/** Untiled: the same node, its weight now fed per chip (the fastest path when tiles change nothing). */
export function rewireUntiled(ctx: LayerContext, graph: GraphProto, input: string): FedInput[] {
  const { b, layer, node } = ctx;
  graph.initializer = graph.initializer!.filter((t) => t.name !== layer.weightName);
  b.input(layer.weightName, layer.tensorDims);
  if (input !== node.input![0]) node.input![0] = input;
  graph.node!.splice(layer.nodeIndex, 1, ...b.nodes, node);
  graph.initializer!.push(...b.initializers);
  return b.inputs;
}

/** Tiled: the crossbar's nodes in place of the original, ending in its output name. */
export function rewireTiled(ctx: LayerContext, graph: GraphProto, out: string): FedInput[] {
  const { b, layer, node } = ctx;
  b.nodes.push(makeNode('Identity', [out], [node.output![0]!], b.name('out')));
  graph.node!.splice(layer.nodeIndex, 1, ...b.nodes);
  graph.initializer!.push(...b.initializers);
  return b.inputs;
}

/**
 * Drops original weights no longer referenced — also from the input list, where older exporters
 * repeat their initializers — then lists the fed tensors as inputs and the taps as outputs.
 */
export function finishGraph(
  graph: GraphProto,
  base: ModelProto,
  newInputs: FedInput[],
  taps: CrossbarGraph['taps'] | undefined,
): void {
  const used = new Set(graph.node!.flatMap((n) => n.input ?? []));
  const baseInitializers = new Set(base.graph!.initializer!.map((t) => t.name!));
  graph.initializer = graph.initializer!.filter((t) => used.has(t.name!));
  const kept = new Set(graph.initializer.map((t) => t.name!));
  const fed = new Set(newInputs.map((i) => i.name!));
  graph.input = graph.input!.filter(
    (i) => !fed.has(i.name!) && !(baseInitializers.has(i.name!) && !kept.has(i.name!)),
  );
  graph.input.push(...newInputs);
  if (taps) {
    const outputs = [...taps.dac.flatMap((tap) => [tap.max, tap.min]), ...taps.adc.map((tap) => tap.max)];
    for (const output of outputs) graph.output!.push(floatOutput(output));
  }
}
