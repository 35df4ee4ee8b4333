/**
 * The Electron shell's own defences, kept apart so they can be tested without Electron:
 * exact-origin navigation (app://bench only: a prefix check let app://bench.evil/ through),
 * redirects held to the same rule, no pop-ups or webviews, and every permission denied but the
 * one the app uses (writing to the clipboard).
 */
import type { Session, WebContents } from 'electron';

export const APP_SCHEME = 'app:';
export const APP_HOST = 'bench';

/** Permissions the renderer uses: copying a table or a plot to the clipboard. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    // app: is not a "special" scheme for WHATWG URL, so compare scheme and host, not origin.
    return (
      parsed.protocol === APP_SCHEME &&
      parsed.host === APP_HOST &&
      parsed.username === '' &&
      parsed.password === ''
    );
  } catch {
    return false;
  }
}

type Contents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function hardenWebContents(contents: Contents): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((contents, permission, callback) =>
    callback(ALLOWED_PERMISSIONS.has(permission) && isAppUrl(contents.getURL())),
  );
  session.setPermissionCheckHandler(
    (_contents, permission, origin) => ALLOWED_PERMISSIONS.has(permission) && isAppUrl(origin),
  );
}
