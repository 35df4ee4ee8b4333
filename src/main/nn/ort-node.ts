import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { ReramError } from '../../shared/errors';
import { encodeModel, floatInput, floatOutput, makeNode, ModelError, onnx } from '../../shared/nn/onnx';
import { blockedConvCheck, blockSizeProbe } from '../../shared/rca/nchwc';
import type { NchwcSupport, OrtRuntime, OrtSessionLike, OrtTensorLike } from '../../shared/nn/runtime';

/** ORT's messages carry a C++ source path and a stack: keep the first sentence. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .split('\n')[0]!
    .replace(/^\[ONNXRuntimeError\][^:]*:\s*/, '')
    .slice(0, 300);
}

// ORT's own C++ log lines duplicate the errors we raise with a reason; RERAM_DEBUG shows them.
ort.env.logLevel = process.env.RERAM_DEBUG ? 'warning' : 'fatal';

export const DEVICES = ['cpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

/** The smallest valid model (Identity), to ask ONNX Runtime whether a provider loads here. */
function probeModel(): Uint8Array {
  return encodeModel(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'reram-bench',
      graph: {
        name: 'probe',
        node: [makeNode('Identity', ['x'], ['y'], 'identity')],
        input: [floatInput('x', [1])],
        output: [floatOutput('y')],
      },
    }),
  );
}

/**
 * Checks that a device can run here, and says plainly why not: a GPU needs onnxruntime-node's
 * CUDA binaries (skipped by .npmrc on machines without GPUs) and the CUDA 12 runtime with cuDNN 9.
 */
export async function checkDevice(device: Device): Promise<void> {
  if (device === 'cpu') return;
  try {
    const session = await ort.InferenceSession.create(probeModel(), {
      executionProviders: [device],
      // Our own message says it better than ORT's C++ log line.
      logSeverityLevel: 4,
    });
    await session.release();
  } catch (error) {
    throw new ReramError(
      'UNSUPPORTED',
      `--device ${device} is not available here (${firstLine(error)}). onnxruntime-node runs on an NVIDIA GPU when its CUDA binaries are installed (npm install onnxruntime-node --onnxruntime-node-install-cuda=v12, after removing "onnxruntime-node-install=skip" from .npmrc) and the CUDA 12 runtime and cuDNN 9 are on the library path. Without them, use --device cpu (the default).`,
    );
  }
}

/** ONNX Runtime for Node (CLI and main process): CPU, or CUDA where installed. */
export function nodeRuntime(options: { threads?: number; device?: Device } = {}): OrtRuntime {
  const threads = options.threads ?? availableParallelism();
  const device = options.device ?? 'cpu';
  return {
    description: `onnxruntime-node ${ort.env.versions.common}, ${device === 'cpu' ? 'CPU' : 'CUDA'}, ${threads} intra-op thread${threads === 1 ? '' : 's'}`,
    async createSession(model): Promise<OrtSessionLike> {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: device === 'cpu' ? ['cpu'] : [device, 'cpu'],
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
    // The blocked kernels are CPU kernels: on a GPU they would pull the graph back to the CPU.
    nchwc: () => (device === 'cpu' ? probeNchwc() : Promise.resolve(null)),
  };
}

let nchwcProbe: Promise<NchwcSupport | null> | undefined;

/**
 * Whether this build of ONNX Runtime has the NCHWc kernels, their block size on this CPU, and
 * that they compute what ONNX's Conv does on the filters rca/nchwc.ts reorders (both layouts, to
 * 1e-5 of the largest output); anything else, and the batched graph keeps the grouped Conv.
 */
function probeNchwc(): Promise<NchwcSupport | null> {
  nchwcProbe ??= (async () => {
    try {
      const probe = await ort.InferenceSession.create(encodeModel(blockSizeProbe()), { logSeverityLevel: 4 });
      const { y } = await probe.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4, 1, 1]) });
      await probe.release();
      const block = y?.dims[1];
      if (typeof block !== 'number' || block < 4 || block % 4 !== 0) return null;
      return (await blockedConvAgrees({ block })) ? { block } : null;
    } catch {
      return null;
    }
  })();
  return nchwcProbe;
}

/** Exported for its test: a wrong block size must fail it. */
export async function blockedConvAgrees(support: NchwcSupport): Promise<boolean> {
  const check = blockedConvCheck(support);
  const session = await ort.InferenceSession.create(encodeModel(check.model), { logSeverityLevel: 4 });
  const feeds = Object.fromEntries(
    check.inputs.map(({ name, dims }, k) => {
      const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) =>
        Math.sin(0.37 * i + k),
      );
      return [name, new ort.Tensor('float32', data, dims)];
    }),
  );
  const out = await session.run(feeds);
  await session.release();
  for (let i = 0; i < check.pairs; i++) {
    const blocked = out[`blocked${i}`]!.data as Float32Array;
    const plain = out[`plain${i}`]!.data as Float32Array;
    const scale = Math.max(...plain.map(Math.abs));
    if (blocked.length !== plain.length || blocked.some((v, j) => !(Math.abs(v - plain[j]!) <= 1e-5 * scale)))
      return false;
  }
  return true;
}
