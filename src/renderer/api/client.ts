import type { ApiBridge } from '../../shared/api';
import { createApiClient, type TypedApi } from '../../shared/api-client';
import { createWebSocketBridge } from './ws-bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in browser mode. */
    reram?: ApiBridge;
  }
}

let api: TypedApi | undefined;

/** The renderer's one way to reach main: Electron IPC when the preload is there, else the WebSocket. */
export function getApi(): TypedApi {
  api ??= createApiClient(window.reram ?? createWebSocketBridge());
  return api;
}

/** Tests inject a bridge (for component tests without a backend). */
export function setApiBridge(bridge: ApiBridge): void {
  api = createApiClient(bridge);
}
