import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isApiMethod, MAX_PAYLOAD_LIMIT, payloadLimit, type ApiResult } from '../../shared/api';
import { decodeWire, encodeWire } from '../../shared/wire';
import type { Dispatch } from '../api/dispatcher';
import type { EventHub } from '../services/events';
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

/** A request envelope, checked field by field: anything else is answered, never thrown on. */
function readEnvelope(value: unknown): { id: number; method: string; payload: unknown } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.id !== 'number' || !Number.isSafeInteger(record.id)) return undefined;
  if (typeof record.method !== 'string' || record.method.length > 100) return undefined;
  return { id: record.id, method: record.method, payload: record.payload };
}

const failure = (code: 'INVALID_INPUT' | 'OUT_OF_RANGE' | 'INTERNAL', message: string): ApiResult => ({
  ok: false,
  error: { code, message },
});

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

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/** The request target, parsed against a fixed base: the Host header is never trusted to build it. */
function parseTarget(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

/** A file of the built renderer, never one outside it; unknown paths get the app (its router). */
function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL, staticRoot: string): void {
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, 'Bad request');
  }
  if (pathname.includes('\0')) return send(res, 400, 'Bad request');
  const relative = normalize(pathname).replace(/^([/\\])+/, '');
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
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(target);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** One WebSocket request's reply: malformed, binary or oversized messages get an error, never a crash. */
async function answer(
  dispatch: WebServerOptions['dispatch'],
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
): Promise<string> {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (isBinary)
    return encodeWire({ id: null, result: failure('INVALID_INPUT', 'Binary messages are not accepted') });
  let envelope: ReturnType<typeof readEnvelope>;
  try {
    envelope = readEnvelope(decodeWire(bytes.toString('utf8')));
  } catch {
    envelope = undefined;
  }
  if (!envelope) return encodeWire({ id: null, result: failure('INVALID_INPUT', 'Malformed message') });
  const { id, method, payload } = envelope;
  if (isApiMethod(method) && bytes.length > payloadLimit(method)) {
    return encodeWire({
      id,
      result: failure(
        'OUT_OF_RANGE',
        `A ${method} request is at most ${payloadLimit(method)} bytes (got ${bytes.length}).`,
      ),
    });
  }
  let result: ApiResult;
  try {
    result = await dispatch(method, payload);
  } catch {
    result = failure('INTERNAL', 'The request could not be handled');
  }
  try {
    return encodeWire({ id, result });
  } catch {
    return encodeWire({ id, result: failure('INTERNAL', 'The reply could not be encoded') });
  }
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

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req)) return send(res, 403, 'Forbidden host');
    const url = parseTarget(req);
    if (!url) return send(res, 400, 'Bad request');
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
    serveStatic(req, res, url, staticRoot);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      // Whatever a request does, the server stays up; the client gets an answer if it can.
      if (!res.headersSent) send(res, 400, 'Bad request');
      else res.destroy();
    }
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  // No message larger than the largest method allows is even buffered; each method has its own bound.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_LIMIT });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = parseTarget(req);
    const origin = req.headers.origin;
    const originOk = origin === undefined || origin === `http://${req.headers.host}`;
    if (!url || url.pathname !== '/api' || !hostAllowed(req) || !originOk || !authorised(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    try {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch {
      socket.destroy();
    }
  });

  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = options.events.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeWire({ event, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      void answer(options.dispatch, data, isBinary).then(
        (reply) => {
          if (ws.readyState === ws.OPEN) ws.send(reply);
        },
        () => ws.terminate(),
      );
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
