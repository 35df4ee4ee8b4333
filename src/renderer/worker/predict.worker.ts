// Runs the crossbar prediction off the main thread with ONNX Runtime Web (WebAssembly), using
// the same src/shared pipeline the CLI runs with onnxruntime-node.
import * as ort from 'onnxruntime-web/wasm';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { serializeError } from '../../shared/errors';
import { datasetFromCifar10, datasetFromIdx } from '../../shared/nn/datasets';
import type { OrtRuntime, OrtSessionLike, OrtTensorLike } from '../../shared/nn/runtime';
import { predict } from '../../shared/rca/predict';
import type { WorkerReply, WorkerRequest } from './protocol';

// The renderer's tsconfig has the DOM lib, not the worker lib: describe the bits of the worker scope we use.
const scope = self as unknown as {
  crossOriginIsolated: boolean;
  location: Location;
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};
// One WebAssembly thread: this worker already keeps the UI free, and ORT Web's pthread pool,
// spawned from inside a bundled module worker, hangs at session creation (seen with 1.30).
const threads = 1;
ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, scope.location.href).href };
ort.env.wasm.numThreads = threads;

const runtime: OrtRuntime = {
  description: `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}, WebAssembly, ${threads} thread${threads === 1 ? '' : 's'}`,
  async createSession(model): Promise<OrtSessionLike> {
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    return {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      run: async (feeds) =>
        (await session.run(feeds as Record<string, ort.Tensor>)) as unknown as Record<string, OrtTensorLike>,
      release: () => session.release(),
    };
  },
  floatTensor: (data, dims) => new ort.Tensor('float32', data, [...dims]),
};

const cancel = { aborted: false };
const reply = (message: WorkerReply) => scope.postMessage(message);

scope.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    cancel.aborted = true;
    return;
  }
  cancel.aborted = false;
  try {
    const dataset =
      request.data.kind === 'idx'
        ? datasetFromIdx(request.data.images, request.data.labels, request.data.name)
        : datasetFromCifar10(request.data.bytes, request.data.name);
    const report = await predict(
      runtime,
      {
        model: request.model,
        modelName: request.modelName,
        dataset,
        table: request.table,
        profileName: request.profileName,
        settings: request.settings,
      },
      {
        cancel,
        onProgress: (p) =>
          reply({ type: 'progress', fraction: p.fraction, message: p.message, partial: p.partial }),
      },
    );
    reply({ type: 'done', report });
  } catch (error) {
    const e = serializeError(error);
    reply({ type: 'error', code: e.code, message: e.message });
  }
};
reply({ type: 'ready', backend: runtime.description });
