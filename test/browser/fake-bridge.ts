import {
  apiEvents,
  apiMethods,
  isApiEvent,
  isApiMethod,
  type ApiBridge,
  type ApiResult,
} from '../../src/shared/api';
import { serializeError } from '../../src/shared/errors';

/**
 * A scripted bridge for component tests: the process boundary (IPC or WebSocket) is the only
 * thing faked; the e2e tests drive the real backend through it. Every reply and event is parsed
 * with the contract's own schema, so a fake cannot send what main never could.
 */
export function fakeBridge(
  handlers: Record<string, (payload: unknown) => unknown>,
): ApiBridge & { calls: Array<[string, unknown]>; emit(event: string, payload: unknown): void } {
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const calls: Array<[string, unknown]> = [];
  return {
    calls,
    async invoke(method, payload): Promise<ApiResult> {
      calls.push([method, payload]);
      const handler = handlers[method];
      if (!handler || !isApiMethod(method))
        return { ok: false, error: { code: 'NOT_FOUND', message: `no fake for ${method}` } };
      try {
        const value: unknown = await handler(payload);
        const checked = apiMethods[method].output.safeParse(value);
        if (!checked.success)
          throw new Error(`the fake for ${method} replied what main never could: ${checked.error.message}`);
        return { ok: true, value: checked.data };
      } catch (error) {
        return { ok: false, error: serializeError(error) };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event, payload) {
      if (!isApiEvent(event)) throw new Error(`no event ${event}`);
      const parsed = apiEvents[event].parse(payload);
      for (const l of listeners) l(event, parsed);
    },
  };
}
