import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/ipc-channels';
import type { Dispatch } from '../api/dispatcher';
import type { EventHub } from '../services/events';
import { isAppUrl } from './security';

export const APP_ORIGIN = 'app://bench';

/** Only our own windows, showing our own origin, may call the API. */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
  isOwnWindow: () => boolean,
): boolean {
  const url = event.senderFrame?.url ?? '';
  return isOwnWindow() && isAppUrl(url);
}

export interface IpcSetup {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dispatch: Dispatch;
  events: EventHub;
  isOwnWebContents: (contents: WebContents) => boolean;
  allWebContents: () => WebContents[];
}

/**
 * The one IPC gate: every invoke goes through the zod-validating dispatcher, and senders that are
 * not our windows are ignored. Events fan out to every window.
 */
export function setupIpc(setup: IpcSetup): () => void {
  setup.ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method: unknown, payload: unknown) => {
    if (!isTrustedSender(event, () => setup.isOwnWebContents(event.sender))) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'Untrusted sender' } };
    }
    return setup.dispatch(method, payload);
  });
  const unsubscribe = setup.events.subscribe((name, payload) => {
    for (const contents of setup.allWebContents()) {
      if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, name, payload);
    }
  });
  return () => {
    unsubscribe();
    setup.ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
  };
}
