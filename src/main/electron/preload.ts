// Sandboxed preload: bundled to one CommonJS file, it may require only 'electron'.
// It exposes the generic ApiBridge; the renderer derives the typed client from src/shared/api.ts.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiBridge } from '../../shared/api';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/ipc-channels';

const bridge: ApiBridge = {
  invoke: (method, payload) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, payload),
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('reram', bridge);
