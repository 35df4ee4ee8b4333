import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hardenSession, hardenWebContents, isAppUrl } from '../../src/main/electron/security';
import { isTrustedSender } from '../../src/main/electron/ipc';
import { CONTENT_SECURITY_POLICY } from '../../src/main/web/security';
import { REPO_ROOT } from '../helpers/cli';

describe('the Electron shell allows its own exact origin only', () => {
  it.each([
    ['app://bench/index.html', true],
    ['app://bench', true],
    ['app://bench.evil/', false], // a prefix check let this through
    ['app://bench@evil/', false],
    ['app://benchx/', false],
    ['app://evil/bench', false],
    ['https://bench/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => {
    expect(isAppUrl(url)).toBe(ok);
    expect(isTrustedSender({ senderFrame: { url } } as never, () => true)).toBe(ok);
  });

  it('blocks navigation and redirects elsewhere, pop-ups and webviews', () => {
    const handlers = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
    let openHandler: (() => { action: string }) | undefined;
    hardenWebContents({
      on: ((name: string, handler: never) => handlers.set(name, handler)) as never,
      setWindowOpenHandler: ((handler: () => { action: string }) => (openHandler = handler)) as never,
    });
    const attempt = (event: string, url: string) => {
      let prevented = false;
      handlers.get(event)!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(attempt('will-navigate', 'app://bench/runs')).toBe(false);
    expect(attempt('will-navigate', 'app://bench.evil/')).toBe(true);
    expect(attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(attempt('will-attach-webview', 'app://bench/')).toBe(true);
    expect(openHandler!()).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check but clipboard writes from the app', () => {
    let request:
      ((contents: unknown, permission: string, callback: (ok: boolean) => void) => void) | undefined;
    let check: ((contents: unknown, permission: string, origin: string) => boolean) | undefined;
    hardenSession({
      setPermissionRequestHandler: ((h: typeof request) => (request = h)) as never,
      setPermissionCheckHandler: ((h: typeof check) => (check = h)) as never,
    });
    const ask = (permission: string, url: string) => {
      let granted: boolean | undefined;
      request!({ getURL: () => url }, permission, (ok) => (granted = ok));
      return granted;
    };
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'serial',
      'hid',
      'usb',
    ])
      expect(ask(permission, 'app://bench/')).toBe(false);
    expect(ask('clipboard-sanitized-write', 'app://bench/')).toBe(true);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check!(null, 'media', 'app://bench')).toBe(false);
    expect(check!(null, 'clipboard-sanitized-write', 'app://bench')).toBe(true);
  });

  it('the renderer page carries the same CSP as the header main sends', () => {
    const html = readFileSync(join(REPO_ROOT, 'src', 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    // frame-ancestors is ignored in a meta tag; everything else must match.
    expect(meta).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
  });

  it('electron-builder flips the fuses', () => {
    const yml = readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
    for (const fuse of [
      'runAsNode: false',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'onlyLoadAppFromAsar: true',
      'enableCookieEncryption: true',
    ])
      expect(yml).toContain(fuse);
  });
});
