import type { ApiBridge, ApiResult } from '../../shared/api';
import { decodeWire, encodeWire } from '../../shared/wire';

interface Pending {
  resolve: (result: ApiResult) => void;
}

/** Browser mode: the same ApiBridge as Electron's preload, over a same-origin WebSocket. */
export function createWebSocketBridge(
  url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`,
): ApiBridge {
  const pending = new Map<number, Pending>();
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket | undefined;
  let retryMs = 250;

  const connect = () => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      for (const message of queue.splice(0)) ws.send(message);
    };
    ws.onmessage = (message) => {
      const data = decodeWire(String(message.data)) as {
        id?: number;
        result?: ApiResult;
        event?: string;
        payload?: unknown;
      };
      if (typeof data.event === 'string') {
        for (const listener of listeners) listener(data.event, data.payload);
      } else if (typeof data.id === 'number' && data.result) {
        pending.get(data.id)?.resolve(data.result);
        pending.delete(data.id);
      }
    };
    ws.onclose = () => {
      for (const [id, entry] of pending) {
        entry.resolve({
          ok: false,
          error: {
            code: 'CONNECTION_LOST',
            message: 'Lost the connection to ReRAM Bench (is the server still running?)',
          },
        });
        pending.delete(id);
      }
      socket = undefined;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    invoke(method, payload) {
      const id = nextId++;
      const message = encodeWire({ id, method, payload });
      return new Promise<ApiResult>((resolve) => {
        pending.set(id, { resolve });
        if (socket?.readyState === WebSocket.OPEN) socket.send(message);
        else queue.push(message);
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
