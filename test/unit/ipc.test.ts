/**
 * The Electron IPC gate with Electron's ipcMain faked at the process boundary (no Electron binary
 * here). The same dispatcher serves the WebSocket bridge, which the e2e tests drive for real.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { afterAll, describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src/shared/ipc-channels';
import { createDispatcher } from '../../src/main/api/dispatcher';
import { EventHub } from '../../src/main/services/events';
import { createServices } from '../../src/main/api/services';
import { APP_ORIGIN, setupIpc } from '../../src/main/electron/ipc';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

describe('Electron IPC handlers', () => {
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: (channel: string, handler: Handler) => void handlers.set(channel, handler),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
  const sent: unknown[][] = [];
  const ours = {
    isDestroyed: () => false,
    send: (...args: unknown[]) => sent.push(args),
  } as unknown as WebContents;
  const events = new EventHub();
  const services = createServices({
    mode: 'electron',
    events,
    dbPath: join(mkdtempSync(join(tmpdir(), 'reram-ipc-')), 'ipc.db'),
  });
  const teardown = setupIpc({
    ipcMain: ipcMain as never,
    dispatch: createDispatcher(services.handlers),
    events,
    isOwnWebContents: (contents) => contents === ours,
    allWebContents: () => [ours],
  });
  afterAll(async () => {
    teardown();
    await services.dispose();
  });

  const invoke = (
    method: unknown,
    payload: unknown,
    sender: WebContents = ours,
    url = `${APP_ORIGIN}/index.html`,
  ) =>
    handlers.get(IPC_INVOKE_CHANNEL)!(
      { sender, senderFrame: { url } } as unknown as IpcMainInvokeEvent,
      method,
      payload,
    );

  it('answers our window through the zod-validated dispatcher', async () => {
    const result = (await invoke('system.info', {})) as { ok: boolean; value: { mode: string } };
    expect(result).toMatchObject({ ok: true, value: { mode: 'electron' } });
    const profiles = (await invoke('profiles.list', {})) as { ok: boolean; value: unknown[] };
    expect(profiles.value.length).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ['a payload of the wrong type', 'runs.list', { limit: 'many' }, /limit/],
    ['a missing field', 'profiles.get', {}, /name/],
    ['an unknown field', 'system.info', { evil: true }, /Invalid request/],
    [
      'procedure parameters without a compliance',
      'runs.start',
      { params: { procedure: 'read', maxVoltage: 1 } },
      /params\.compliance/,
    ],
    [
      'a voltage above the run maximum',
      'runs.start',
      { params: { procedure: 'pulse-train', maxVoltage: 1, compliance: 1e-3, setV: 5 } },
      /params\.setV: \|5\| V exceeds the maximum/,
    ],
    ['an unknown method', 'shell.exec', {}, /Unknown API method/],
    ['a non-string method', 42, {}, /Unknown API method/],
  ])('rejects %s before any handler runs', async (_name, method, payload, message) => {
    const result = (await invoke(method, payload)) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    expect(result.ok).toBe(false);
    expect(result.error.code).toBe('INVALID_INPUT');
    expect(result.error.message).toMatch(message);
  });

  it('ignores senders that are not our windows or not our origin', async () => {
    const stranger = { isDestroyed: () => false, send: () => {} } as unknown as WebContents;
    expect(await invoke('system.info', {}, stranger)).toMatchObject({
      ok: false,
      error: { message: 'Untrusted sender' },
    });
    expect(await invoke('system.info', {}, ours, 'https://evil.example/')).toMatchObject({
      ok: false,
      error: { message: 'Untrusted sender' },
    });
  });

  it('fans events out to our windows', () => {
    events.emit('system.log', { level: 'info', message: 'hi' });
    expect(sent).toContainEqual([IPC_EVENT_CHANNEL, 'system.log', { level: 'info', message: 'hi' }]);
  });
});
