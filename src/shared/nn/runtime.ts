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
}
