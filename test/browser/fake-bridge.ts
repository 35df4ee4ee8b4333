import type { ApiBridge, ApiResult } from '../../src/shared/api';

/**
 * A scripted bridge for component tests: the process boundary (IPC or WebSocket) is the only
 * thing faked; the e2e tests drive the real backend through it.
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
      if (!handler) return { ok: false, error: { code: 'NOT_FOUND', message: `no fake for ${method}` } };
      try {
        return { ok: true, value: await handler(payload) };
      } catch (error) {
        return { ok: false, error: { code: 'PROFILE', message: (error as Error).message } };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event, payload) {
      for (const l of listeners) l(event, payload);
    },
  };
}
