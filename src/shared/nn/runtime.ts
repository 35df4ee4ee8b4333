/**
 * The slice of ONNX Runtime the pipeline needs. onnxruntime-node (CLI, main) and
 * onnxruntime-web both satisfy it; src/shared never imports either.
 */
export interface OrtTensorLike {
  readonly data: ArrayLike<number> | Float32Array;
  readonly dims: readonly number[];
}

export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}

export interface OrtRuntime {
  /** Human-readable backend and thread settings, for reports. */
  readonly description: string;
  createSession(model: Uint8Array): Promise<OrtSessionLike>;
  floatTensor(data: Float32Array, dims: readonly number[]): unknown;
  /**
   * ONNX Runtime's blocked NCHWc kernels (domain com.microsoft.nchwc), where this runtime has
   * them: null where it does not (onnxruntime-web, a GPU). See rca/nchwc.ts.
   */
  nchwc?(): Promise<NchwcSupport | null>;
}

/** The NCHWc kernels' channel block on this CPU (8 with AVX2, 16 with AVX-512). */
export interface NchwcSupport {
  block: number;
}
