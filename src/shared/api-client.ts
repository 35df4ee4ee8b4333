/**
 * The renderer's typed API client, derived from `apiMethods` in one line: each property is a call
 * through whichever bridge the runtime provides (Electron preload or WebSocket).
 */
import {
  apiEvents,
  type ApiBridge,
  type ApiClient,
  type ApiEventListener,
  type ApiEventName,
  type ApiResult,
  isApiEvent,
} from './api';
import { deserializeError } from './errors';

export interface TypedApi {
  call: ApiClient;
  on<E extends ApiEventName>(event: E, listener: ApiEventListener<E>): () => void;
}

export function createApiClient(bridge: ApiBridge): TypedApi {
  const call = new Proxy({} as ApiClient, {
    get: (_target, name) => async (payload: unknown) => {
      const result = (await bridge.invoke(String(name), payload ?? {})) as ApiResult;
      if (!result.ok) throw deserializeError(result.error);
      return result.value;
    },
  });
  return {
    call,
    on(event, listener) {
      return bridge.subscribe((name, payload) => {
        if (name !== event || !isApiEvent(name)) return;
        // Events come from our own main process; parse anyway so a renderer never sees a malformed payload.
        const parsed = apiEvents[name].safeParse(payload);
        if (parsed.success) (listener as (p: unknown) => void)(parsed.data);
      });
    },
  };
}
