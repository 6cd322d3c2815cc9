/**
 * Session- and app-wide guards, set once before the first window opens:
 *
 *  - every permission request and check is refused (camera, notifications
 *    from pages, clipboard-read, HID/USB/serial devices, …): Keyhold's pages
 *    need none, and a page that asks is not behaving as built;
 *  - the CSP of the pages is also sent as a response header for file: pages
 *    (the same policy as the HTML meta tag, which stays the layer that always
 *    applies: Chromium may not run header hooks for file: loads, and the
 *    header adds `frame-ancestors`, which a meta tag cannot carry);
 *  - any webContents the app ever creates — ours or not — may not open
 *    windows, attach <webview>s or navigate away (windows we make add their
 *    own, page-exact navigation rule in the window factory).
 *
 * Pure wiring over injected objects: no electron import, unit-tested with fakes.
 */
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy.js';

export { CONTENT_SECURITY_POLICY };

/**
 * The policy the pages' meta tags carry: the header's without `frame-ancestors`,
 * which browsers ignore in a meta tag (the header sends it).
 */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');

/** URL patterns whose responses get the CSP header. */
export const CSP_HEADER_URLS = ['file://*/*'] as const;

type Headers = Record<string, string[]>;

/** The response headers with our CSP instead of any the response carried (any casing). */
export function withContentSecurityPolicy(headers: Readonly<Record<string, string | string[]>> | undefined): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** The parts of an Electron Session this module sets (Electron's Session has them). */
export interface HardenableSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  readonly webRequest: {
    onHeadersReceived(
      filter: { urls: string[] },
      listener: (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Headers }) => void) => void,
    ): void;
  };
}

export function hardenSession(session: HardenableSession, log: (message: string) => void): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`denied a page's permission request: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived({ urls: [...CSP_HEADER_URLS] }, (details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of a webContents `guardEveryWebContents` sets. */
export interface GuardableContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
}

export interface WebContentsCreatedSource {
  on(event: 'web-contents-created', listener: (event: unknown, contents: GuardableContents) => void): unknown;
}

/**
 * Defence in depth for webContents we did not make ourselves (a devtools
 * window, anything a future dependency opens): no new windows, no webviews.
 */
export function guardEveryWebContents(app: WebContentsCreatedSource, log: (message: string) => void): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => {
      log('denied a window.open');
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => {
      log('denied a <webview>');
      event.preventDefault();
    });
  });
}
