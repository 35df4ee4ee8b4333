import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeWire, encodeWire } from '../../shared/wire';
import type { Dispatch } from '../api/dispatcher';
import type { EventHub } from '../api/events';
import { MIME_TYPES, SECURITY_HEADERS } from './security';

export interface WebServerOptions {
  dispatch: Dispatch;
  events: EventHub;
  staticDir: string;
  port?: number;
  /** Overridable for tests; anything other than a loopback address is refused. */
  host?: string;
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface WireRequest {
  id: number;
  method: string;
  payload: unknown;
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * Browser mode: the renderer over HTTP on loopback, and the same API as Electron's IPC over a
 * WebSocket. A random token per start gates everything: the printed URL carries it once, the
 * server swaps it for an HttpOnly SameSite cookie, and the WebSocket checks cookie and Origin.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`Browser mode binds to loopback only, not ${host}`);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticRoot = resolve(options.staticDir);
  let port = options.port ?? 0;

  const hostAllowed = (req: IncomingMessage) => {
    // Refuse foreign Host headers: a DNS-rebinding page cannot reach us through its own name.
    const hostHeader = req.headers.host ?? '';
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader);
  };
  // Cookies are per host, not per port: name it by port so two instances do not clash.
  const cookieName = () => `reram_token_${port}`;
  const authorised = (req: IncomingMessage, url: URL) =>
    sameToken(readCookie(req, cookieName()), token) ||
    sameToken(url.searchParams.get('token') ?? undefined, token);

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    if (!hostAllowed(req)) return send(res, 403, 'Forbidden host');
    if (!authorised(req, url)) {
      return send(
        res,
        401,
        'ReRAM Bench: open the URL printed by `npm start` (it carries the access token).',
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
    if (url.searchParams.has('token')) {
      // Trade the one-time URL token for a cookie and drop it from the address bar.
      url.searchParams.delete('token');
      res.writeHead(302, {
        ...SECURITY_HEADERS,
        'Set-Cookie': `${cookieName()}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + (url.search || ''),
      });
      return res.end();
    }
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    const file = resolve(join(staticRoot, relative === '' ? 'index.html' : relative));
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) return send(res, 404, 'Not found');
    const target = existsSync(file) && statSync(file).isFile() ? file : join(staticRoot, 'index.html');
    if (!existsSync(target)) {
      return send(
        res,
        503,
        'The renderer is not built yet: run `npm run build:renderer` (npm start does it for you).',
      );
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': MIME_TYPES[extname(target)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(target).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    const origin = req.headers.origin;
    const originOk = origin === undefined || origin === `http://${req.headers.host}`;
    if (url.pathname !== '/api' || !hostAllowed(req) || !originOk || !authorised(req, url)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = options.events.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeWire({ event, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('message', async (data) => {
      let request: WireRequest;
      try {
        request = decodeWire(data.toString()) as WireRequest;
      } catch {
        return ws.send(
          encodeWire({
            id: null,
            result: { ok: false, error: { code: 'INVALID_INPUT', message: 'Malformed message' } },
          }),
        );
      }
      const result = await options.dispatch(request.method, request.payload);
      if (ws.readyState === ws.OPEN) ws.send(encodeWire({ id: request.id, result }));
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const displayHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${displayHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
