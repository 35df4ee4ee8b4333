// The Electron shell: a window, the app:// protocol for the renderer, native file dialogs and
// the IPC gate. All behaviour lives in services shared with browser mode and the CLI.
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session } from 'electron';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiHandlers } from '../../shared/api';
import { createDispatcher } from '../api/dispatcher';
import { EventHub } from '../services/events';
import { createServices } from '../api/services';
import { installProcessSafety } from '../services/bench';
import { rendererDistDir } from '../paths';
import { MIME_TYPES, SECURITY_HEADERS } from '../web/security';
import { APP_ORIGIN, setupIpc } from './ipc';
import { hardenSession, hardenWebContents } from './security';

protocol.registerSchemesAsPrivileged([
  {
    scheme: 'app',
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
  },
]);

const windows = new Set<BrowserWindow>();

async function serveRenderer(request: Request): Promise<Response> {
  const root = resolve(rendererDistDir());
  const { pathname } = new URL(request.url);
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '') || 'index.html';
  let file = resolve(join(root, relative));
  if (!file.startsWith(root + sep)) return new Response('Not found', { status: 404 });
  if (!existsSync(file)) file = join(root, 'index.html');
  const response = await net.fetch(pathToFileURL(file).toString());
  const headers = new Headers(SECURITY_HEADERS);
  headers.set('Content-Type', MIME_TYPES[extname(file)] ?? 'application/octet-stream');
  return new Response(response.body, { status: response.status, headers });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'ReRAM Bench',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // Middle-click would open links in a new window, around the window-open handler.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  windows.add(window);
  window.on('closed', () => windows.delete(window));
  window.once('ready-to-show', () => window.show());
  // No navigation or redirect away from the app's exact origin, no pop-ups, no webviews.
  hardenWebContents(window.webContents);
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

/** Native dialogs replace browser mode's downloads and uploads. */
function fileHandlers(): Pick<ApiHandlers, 'files.save' | 'files.open'> {
  const parent = () => BrowserWindow.getFocusedWindow() ?? [...windows][0];
  return {
    'files.save': async ({ defaultName, data, filters }) => {
      const window = parent();
      const options = { defaultPath: defaultName, filters };
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      if (result.canceled || !result.filePath) return { path: null };
      writeFileSync(result.filePath, data);
      return { path: result.filePath };
    },
    'files.open': async ({ filters }) => {
      const window = parent();
      const options = { properties: ['openFile' as const], filters };
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      const path = result.filePaths[0];
      if (result.canceled || !path) return null;
      const data = readFileSync(path);
      return {
        fileName: basename(path),
        text: data.toString('utf8'),
        bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      };
    },
  };
}

app.whenReady().then(() => {
  hardenSession(session.defaultSession);
  protocol.handle('app', serveRenderer);
  const events = new EventHub();
  const services = createServices({
    mode: 'electron',
    events,
    dbPath: join(app.getPath('userData'), 'reram-bench.db'),
  });
  installProcessSafety({ handleSignals: true, beforeExit: () => services.store.close() });
  setupIpc({
    ipcMain,
    dispatch: createDispatcher({ ...services.handlers, ...fileHandlers() }),
    events,
    isOwnWebContents: (contents) => [...windows].some((w) => w.webContents === contents),
    allWebContents: () => [...windows].map((w) => w.webContents),
  });
  createWindow();
  app.on('activate', () => {
    if (windows.size === 0) createWindow();
  });
  let disposed = false;
  app.on('before-quit', (event) => {
    if (disposed) return;
    // Leave every instrument safe (output off) before the process goes.
    event.preventDefault();
    disposed = true;
    void services.dispose().finally(() => app.quit());
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
