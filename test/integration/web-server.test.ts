import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher } from '../../src/main/api/dispatcher';
import { EventHub } from '../../src/main/services/events';
import { createServices } from '../../src/main/api/services';
import { tempDbPath } from '../helpers/temp';
import { startWebServer, type WebServer } from '../../src/main/web/server';
import { decodeWire, encodeWire } from '../../src/shared/wire';

describe('browser-mode server', () => {
  let server: WebServer;
  const events = new EventHub();
  const staticDir = mkdtempSync(join(tmpdir(), 'reram-static-'));

  beforeAll(async () => {
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>ReRAM Bench</title>');
    writeFileSync(join(staticDir, 'app.js'), 'console.log(1)');
    const services = createServices({ mode: 'browser', events, dbPath: tempDbPath() });
    server = await startWebServer({ dispatch: createDispatcher(services.handlers), events, staticDir });
  });
  afterAll(() => server.close());

  const base = () => `http://127.0.0.1:${server.port}`;

  it('refuses to bind anything but loopback', async () => {
    const services = createServices({ mode: 'browser', events, dbPath: tempDbPath() });
    await expect(
      startWebServer({ dispatch: createDispatcher(services.handlers), events, staticDir, host: '0.0.0.0' }),
    ).rejects.toThrow(/loopback/);
  });

  it('requires the per-start token, then trades it for a cookie', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
    const first = await fetch(server.url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${base()}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('ReRAM Bench');
    const script = await fetch(`${base()}/app.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  it('rejects foreign Host headers (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `/?token=${server.token}`,
          headers: { host: 'evil.example:80' },
        },
        (res) => resolve(res.statusCode ?? 0),
      ).end();
    });
    expect(status).toBe(403);
  });

  it('does not serve files outside its folder', async () => {
    const res = await fetch(`${base()}/..%2f..%2fetc%2fpasswd?token=${server.token}`, { redirect: 'manual' });
    // The token exchange redirects first; follow with the cookie.
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const body = await (await fetch(`${base()}/..%2f..%2fetc%2fpasswd`, { headers: { cookie } })).text();
    expect(body).not.toContain('root:');
  });

  it('serves the API over a WebSocket only with the token and a same-origin Origin', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${server.port}/api`);
    await expect(
      new Promise((resolve, reject) => refused.on('open', resolve).on('error', reject)),
    ).rejects.toThrow(/401/);
    const crossSite = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, {
      origin: 'http://evil.example',
    });
    await expect(
      new Promise((resolve, reject) => crossSite.on('open', resolve).on('error', reject)),
    ).rejects.toThrow(/401/);

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const reply = new Promise<unknown>((resolve) =>
      ws.once('message', (data) => resolve(decodeWire(data.toString()))),
    );
    ws.send(encodeWire({ id: 7, method: 'system.info', payload: {} }));
    expect(await reply).toMatchObject({ id: 7, result: { ok: true, value: { mode: 'browser' } } });

    const event = new Promise<unknown>((resolve) =>
      ws.once('message', (data) => resolve(decodeWire(data.toString()))),
    );
    events.emit('system.log', { level: 'info', message: 'hello' });
    expect(await event).toEqual({ event: 'system.log', payload: { level: 'info', message: 'hello' } });

    const invalid = new Promise<unknown>((resolve) =>
      ws.once('message', (data) => resolve(decodeWire(data.toString()))),
    );
    ws.send(encodeWire({ id: 8, method: 'system.info', payload: { unexpected: true } }));
    expect(await invalid).toMatchObject({ id: 8, result: { ok: false, error: { code: 'INVALID_INPUT' } } });
    ws.close();
  });
});
