/**
 * Typed errors that cross layers. Every error the user can see has a stable `code`, a readable
 * message (with the instrument's own text where there is one) and optional structured details.
 * Errors cross the IPC/WebSocket boundary as plain `SerializedError` objects.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'OUT_OF_RANGE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNSUPPORTED'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'TRANSPORT'
  | 'CONNECTION_LOST'
  | 'SCPI_PARSE'
  | 'FRAMING'
  | 'PREEMPTED'
  | 'NEEDS_CONFIRMATION'
  | 'INSTRUMENT'
  | 'SAFETY'
  | 'FIT'
  | 'DEVICE'
  | 'MODEL'
  | 'DATASET'
  | 'PROFILE'
  | 'INTERNAL';

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class ReramError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReramError';
    this.code = code;
    this.details = details;
  }

  toJSON(): SerializedError {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export class CancelledError extends ReramError {
  constructor(message = 'Cancelled by the user') {
    super('CANCELLED', message);
    this.name = 'CancelledError';
  }
}

export function invalidInput(message: string, details?: Record<string, unknown>): ReramError {
  return new ReramError('INVALID_INPUT', message, details);
}

export function outOfRange(message: string, details?: Record<string, unknown>): ReramError {
  return new ReramError('OUT_OF_RANGE', message, details);
}

/** Any thrown value as a SerializedError: ReramErrors keep their code, others become INTERNAL. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof ReramError) return error.toJSON();
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}

export function deserializeError(error: SerializedError): ReramError {
  return new ReramError(error.code, error.message, error.details);
}

/** Minimal cancellation token so pure code can be cancelled without depending on DOM/Node AbortSignal types. */
export interface CancelToken {
  readonly aborted: boolean;
}

export function throwIfCancelled(token: CancelToken | undefined): void {
  if (token?.aborted) throw new CancelledError();
}
