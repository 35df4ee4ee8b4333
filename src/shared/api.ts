/**
 * The renderer ⇄ main contract, written once. Every request, response and event has a zod schema;
 * main validates each payload (IPC and WebSocket alike), and the preload, the IPC handlers, the
 * WebSocket bridge and the renderer client are all derived from these two tables.
 */
import { z } from 'zod';
import type { SerializedError } from './errors';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string) {
  return { input, output, doc };
}

const Empty = z.object({}).strict();

export const SystemInfo = z.object({
  appVersion: z.string(),
  mode: z.enum(['electron', 'browser']),
  platform: z.string(),
  nodeVersion: z.string(),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export const apiMethods = {
  'system.info': method(Empty, SystemInfo, 'App version, runtime mode and platform.'),
} as const;

export const apiEvents = {
  'system.log': z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string() }),
} as const;

export type ApiMethodName = keyof typeof apiMethods;
export type ApiEventName = keyof typeof apiEvents;
export type ApiInput<M extends ApiMethodName> = z.input<(typeof apiMethods)[M]['input']>;
export type ApiParsedInput<M extends ApiMethodName> = z.output<(typeof apiMethods)[M]['input']>;
export type ApiOutput<M extends ApiMethodName> = z.output<(typeof apiMethods)[M]['output']>;
export type ApiEventPayload<E extends ApiEventName> = z.output<(typeof apiEvents)[E]>;

/** What main implements: one handler per method, receiving the validated input. */
export type ApiHandlers = {
  [M in ApiMethodName]: (input: ApiParsedInput<M>) => Promise<z.input<(typeof apiMethods)[M]['output']>>;
};

/** What the renderer calls. */
export type ApiClient = {
  [M in ApiMethodName]: (input: ApiInput<M>) => Promise<ApiOutput<M>>;
};

export type ApiEventListener<E extends ApiEventName> = (payload: ApiEventPayload<E>) => void;

/** The raw bridge both transports (Electron preload, WebSocket) provide. */
export interface ApiBridge {
  invoke(method: string, payload: unknown): Promise<unknown>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** Result envelope used on the wire, so errors keep their code and text across the boundary. */
export type ApiResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

export { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './ipc-channels';
export const isApiMethod = (name: unknown): name is ApiMethodName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiMethods, name);
export const isApiEvent = (name: unknown): name is ApiEventName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiEvents, name);
