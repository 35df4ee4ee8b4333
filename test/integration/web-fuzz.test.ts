/**
 * Browser mode must survive any bytes: malformed HTTP (bad Host, bad escapes, garbage request
 * lines), malformed WebSocket messages, oversized messages, prototype keys and hostile resources.
 * Every request gets an answer or a closed connection, every API call a typed error, and the
 * server stays alive and answering after each batch.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiMethods, MAX_PAYLOAD_LIMIT } from '../../src/shared/api';
import { Rng } from '../../src/shared/random';
import { decodeWire, encodeWire } from '../../src/shared/wire';
import { createDispatcher } from '../../src/main/api/dispatcher';
import { EventHub } from '../../src/main/services/events';
import { createServices, type Services } from '../../src/main/api/services';
import { startWebServer, type WebServer } from '../../src/main/web/server';
import { tempDbPath } from '../helpers/temp';

let server: WebServer;
let services: Services;
const events = new EventHub();

beforeAll(async () => {
  const staticDir = mkdtempSync(join(tmpdir(), 'reram-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>ReRAM Bench</title>');
  services = createServices({ mode: 'browser', events, dbPath: tempDbPath() });
  server = await startWebServer({ dispatch: createDispatcher(services.handlers), events, staticDir });
});
afterAll(async () => {
  await server.close();
  await services.dispose();
});

/** Raw bytes to the server; resolves with whatever comes back before it closes (or 2 s). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(done, 2000);
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      if (/\r\n\r\n/.test(reply)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.connect(server.port, '127.0.0.1', () => socket.write(bytes));
  });
}

async function alive(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${server.port}/?token=${server.token}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
}

async function openWs(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, {
    maxPayload: 1 << 30,
  });
  await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
  return ws;
}

/** Sends raw text frames and collects one reply each, in order. */
async function exchange(ws: WebSocket, messages: Array<string | Buffer>): Promise<unknown[]> {
  const replies: unknown[] = [];
  const all = new Promise<void>((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = decodeWire(data.toString()) as { event?: string };
      if (message.event) return;
      replies.push(message);
      if (replies.length === messages.length) {
        ws.off('message', onMessage);
        resolve();
      }
    };
    ws.on('message', onMessage);
  });
  for (const m of messages) ws.send(m);
  await all;
  return replies;
}

describe('HTTP: no request line or header kills the server', () => {
  it('a malformed Host header without a token (new URL() threw before any check)', async () => {
    expect(await raw('GET / HTTP/1.1\r\nHost: [\r\n\r\n')).toMatch(/^HTTP\/1\.1 403/);
    expect(await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}:x[\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 40\d/,
    );
    expect(
      await raw(`GET /api HTTP/1.1\r\nHost: [\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 401/);
    await alive();
  });

  it('an authenticated GET /% (decodeURIComponent threw)', async () => {
    const cookie = `reram_token_${server.port}=${server.token}`;
    const reply = await raw(`GET /% HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nCookie: ${cookie}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    await alive();
  });

  it('10,000 random and structured-malformed requests: the server answers after every batch', async () => {
    const rng = new Rng(20261128);
    const cookie = `reram_token_${server.port}=${server.token}`;
    const pieces = [
      'GET',
      'POST',
      'HEAD',
      '/',
      '/%',
      '/%zz',
      '/..%2f',
      '/api',
      '\0',
      '\xff',
      ' ',
      '\r\n',
      ':',
      'Host:',
      `127.0.0.1:${server.port}`,
      '[',
      'Cookie:',
      cookie,
      'HTTP/1.1',
      'Upgrade: websocket',
      'Content-Length: 99999999',
      'Transfer-Encoding: chunked',
    ];
    const randomRequest = () => {
      if (rng.next() < 0.3)
        return Buffer.from(
          Array.from({ length: 1 + Math.floor(rng.next() * 200) }, () => Math.floor(rng.next() * 256)),
        );
      const parts = Array.from(
        { length: 1 + Math.floor(rng.next() * 12) },
        () => pieces[Math.floor(rng.next() * pieces.length)]!,
      );
      return `${parts.join(rng.next() < 0.5 ? ' ' : '\r\n')}\r\n\r\n`;
    };
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 500 }, () => raw(randomRequest())));
      await alive();
    }
  }, 120_000);
});

describe('WebSocket: every malformed message gets a typed error', () => {
  it('null, numbers, arrays, broken JSON and binary frames', async () => {
    const ws = await openWs();
    const replies = (await exchange(ws, [
      'null',
      '42',
      '[]',
      '{"id":"x","method":"system.info"}',
      '{"id":1}',
      '{broken',
      '"text"',
      Buffer.from([0xff, 0x00]),
    ])) as Array<{ id: unknown; result: { ok: boolean; error: { code: string } } }>;
    for (const reply of replies) {
      expect(reply.result.ok).toBe(false);
      expect(reply.result.error.code).toBe('INVALID_INPUT');
    }
    ws.close();
    await alive();
  });

  it('1,000 wrong-type calls to every method: typed errors, never INTERNAL', async () => {
    const rng = new Rng(7);
    const values: unknown[] = [
      null,
      true,
      -1,
      1e308,
      Number.NaN,
      '',
      'x'.repeat(300),
      [],
      {},
      [1, 'a'],
      { __proto__: { polluted: 1 } },
      '__proto__',
      'constructor',
      'toString',
    ];
    const pick = () => values[Math.floor(rng.next() * values.length)];
    const methods = Object.keys(apiMethods).filter(
      (m) => !['instrument.connect', 'runs.start', 'files.save', 'files.open'].includes(m),
    );
    const ws = await openWs();
    const messages: string[] = [];
    for (let k = 0; k < 1000; k++) {
      const method = methods[k % methods.length]!;
      const payload: Record<string, unknown> = {};
      for (const key of [
        'id',
        'name',
        'runId',
        'limit',
        'text',
        'fileName',
        'format',
        'host',
        'bits',
        'afterSeq',
      ])
        if (rng.next() < 0.4) payload[key] = pick();
      messages.push(encodeWire({ id: k, method, payload: rng.next() < 0.1 ? pick() : payload }));
    }
    const replies = (await exchange(ws, messages)) as Array<{
      result: { ok: boolean; error?: { code: string; message: string } };
    }>;
    const internal = replies.filter((r) => r.result.error?.code === 'INTERNAL');
    expect(internal.map((r) => r.result.error!.message)).toEqual([]);
    ws.close();
    await alive();
  }, 60_000);

  it('prototype names as resource ids are plain "not found"', async () => {
    const ws = await openWs();
    const replies = (await exchange(
      ws,
      ['__proto__', 'constructor', 'toString'].flatMap((id, k) => [
        encodeWire({ id: 2 * k, method: 'profiles.get', payload: { name: id } }),
        encodeWire({
          id: 2 * k + 1,
          method: 'predictions.start',
          payload: {
            profile: 'AlOx/HfO2',
            model: { kind: 'builtin', id },
            data: { kind: 'builtin', id },
            settings: {},
          },
        }),
      ]),
    )) as Array<{ result: { ok: boolean; error: { code: string } } }>;
    expect(replies.map((r) => r.result.error.code)).toEqual(Array(6).fill('NOT_FOUND'));
    ws.close();
  });

  it('a message over the transport bound is refused without blocking the server', async () => {
    const ws = await openWs();
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const started = Date.now();
    ws.send(
      encodeWire({
        id: 1,
        method: 'profiles.import',
        payload: { fileName: 'x.json', text: 'x'.repeat(MAX_PAYLOAD_LIMIT + 1e6) },
      }),
    );
    expect(await closed).toBe(1009); // "message too big", before it is parsed
    await alive();
    expect(Date.now() - started).toBeLessThan(5000);
    // Within the transport bound but over the method's own: a typed error, connection kept.
    const ws2 = await openWs();
    const [reply] = (await exchange(ws2, [
      encodeWire({ id: 2, method: 'runs.list', payload: { limit: 1, pad: 'x'.repeat(2e6) } }),
    ])) as Array<{
      result: { error: { code: string; message: string } };
    }>;
    expect(reply!.result.error.code).toBe('OUT_OF_RANGE');
    ws2.close();
  });
});

describe('instrument.connect from a page cannot reach what an instrument is not', () => {
  it('refuses files as serial ports, asks before non-local hosts, never echoes a foreign banner', async () => {
    const call = (payload: unknown) => createDispatcher(services.handlers)('instrument.connect', payload);
    const shadow = await call({ kind: 'resource', resource: 'ASRL/etc/shadow::INSTR' });
    expect(shadow).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(JSON.stringify(shadow)).toMatch(/not a serial device/);

    const remote = await call({ kind: 'resource', resource: 'TCPIP::10.255.255.1::5025::SOCKET' });
    expect(remote).toMatchObject({
      ok: false,
      error: { code: 'NEEDS_CONFIRMATION', details: { host: '10.255.255.1' } },
    });

    // A local service that is not an instrument (an SSH-like banner): the error does not repeat it.
    const banner = createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2 secret-banner\r\n'));
    await new Promise<void>((resolve) => banner.listen(0, '127.0.0.1', resolve));
    const port = (banner.address() as { port: number }).port;
    const foreign = await call({
      kind: 'resource',
      resource: `TCPIP::127.0.0.1::${port}::SOCKET`,
      timeoutMs: 500,
    });
    banner.close();
    expect(foreign.ok).toBe(false);
    expect(JSON.stringify(foreign)).not.toMatch(/OpenSSH|secret-banner/);

    // Once the user allows a host, it is asked no more (the connection itself may then fail).
    const allowed = await createDispatcher(services.handlers)('instrument.allowHost', {
      host: '10.255.255.1',
    });
    expect(allowed.ok && (allowed.value as { hosts: string[] }).hosts).toContain('10.255.255.1');
  });
});
