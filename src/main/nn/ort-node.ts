import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { ModelError } from '../../shared/nn/onnx';
import type { OrtRuntime, OrtSessionLike, OrtTensorLike } from '../../shared/nn/runtime';

/** ORT's messages carry a C++ source path and a stack: keep the first sentence. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .split('\n')[0]!
    .replace(/^\[ONNXRuntimeError\][^:]*:\s*/, '')
    .slice(0, 300);
}

/** ONNX Runtime for Node (CLI and main process), CPU execution provider. */
export function nodeRuntime(options: { threads?: number } = {}): OrtRuntime {
  const threads = options.threads ?? availableParallelism();
  return {
    description: `onnxruntime-node ${ort.env.versions.common}, CPU, ${threads} intra-op thread${threads === 1 ? '' : 's'}`,
    async createSession(model): Promise<OrtSessionLike> {
      const session = await ort.InferenceSession.create(model, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // No busy-waiting between runs: the app's main process also serves the UI and the
        // instrument, and several sessions (one per chip) take turns.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      }).catch((error: unknown) => {
        throw new ModelError(`ONNX Runtime could not load the model: ${firstLine(error)}`);
      });
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        // Our graphs have float outputs only.
        run: async (feeds) => {
          try {
            return (await session.run(feeds as Record<string, ort.Tensor>)) as unknown as Record<
              string,
              OrtTensorLike
            >;
          } catch (error) {
            throw new ModelError(`ONNX Runtime could not run the model: ${firstLine(error)}`);
          }
        },
        release: () => session.release(),
      };
    },
    floatTensor: (data, dims) => new ort.Tensor('float32', data, [...dims]),
  };
}
