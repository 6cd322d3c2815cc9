/**
 * `GET /request/<id>` on the bridge port: the http(s) link an MCP client opens
 * for a URL-mode elicitation (clients refuse `keyhold://`). It only brings the
 * request's window to the front; it answers nothing and needs no token, so it
 * reveals nothing either: no secret, no verification code, no token, not even
 * the server's or the secret's name — one of four fixed pages.
 *
 *   - `Host` must name this loopback listener, as for the WebSocket (DNS
 *     rebinding) → 403. No `Origin` check: a browser opening a link sends none
 *     on a top-level GET, and the page is the same for everyone.
 *   - ids are the app's prompt ids (128 random bits); unknown → 404, ended → 410.
 *   - GET and HEAD only (405); any other path → 404; no CORS headers, a CSP of
 *     `default-src 'none'`, no caching, no framing, no referrer.
 *   - a token bucket bounds how often anyone can make the app focus a window
 *     (and how fast ids could be guessed) → 429.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { REQUEST_LINK_ID } from '../../shared/bridge-protocol.js';

/** What a link's id names: a window brought to the front, one answered in a terminal, an ended one, or nothing. */
export type RequestLinkOutcome = 'focused' | 'elsewhere' | 'ended' | 'unknown';

export const REQUEST_LINK_PREFIX = '/request/';
/** Sustained link requests per second, and the burst allowed on top. */
const RATE_PER_SECOND = 5;
const BURST = 20;

const PAGES: Record<RequestLinkOutcome | 'refused', { readonly status: number; readonly title: string; readonly text: string }> = {
  focused: {
    status: 200,
    title: 'Keyhold',
    text: 'Keyhold brought the window of this request to the front. Answer it there, and only if it shows the same verification code as your MCP client. You can close this tab.',
  },
  elsewhere: {
    status: 200,
    title: 'Keyhold',
    text: 'Keyhold is asking in the terminal where it runs (keyhold serve). Answer it there, and only if it shows the same verification code as your MCP client. You can close this tab.',
  },
  ended: { status: 410, title: 'Keyhold: request ended', text: 'This Keyhold request has ended (answered, cancelled or timed out). Run the tool again if you still need it.' },
  unknown: { status: 404, title: 'Keyhold: no such request', text: 'Keyhold has no request with this link. Links work only while Keyhold runs and the request is open.' },
  refused: { status: 429, title: 'Keyhold: too many requests', text: 'Too many requests to this link; wait a moment and try again.' },
};

export interface RequestLinkRouteOptions {
  readonly onRequestLink: (id: string) => RequestLinkOutcome;
  readonly now?: () => number;
}

/** Handles plain HTTP requests to the bridge port other than WebSocket upgrades. */
export class RequestLinkRoute {
  private tokens = BURST;
  private refilledAt: number;

  constructor(private readonly options: RequestLinkRouteOptions) {
    this.refilledAt = this.now();
  }

  /** True when the request was a link request (answered here); false leaves it to the caller. */
  handle(request: IncomingMessage, response: ServerResponse, hostAllowed: boolean): boolean {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith(REQUEST_LINK_PREFIX)) return false;
    if (!hostAllowed) return plain(response, 403, 'Host must be this loopback listener.\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'GET only.\n', { Allow: 'GET, HEAD' });
    const id = path.slice(REQUEST_LINK_PREFIX.length);
    if (!REQUEST_LINK_ID.test(id)) return page(response, 'unknown', request.method === 'HEAD');
    if (!this.take()) return page(response, 'refused', request.method === 'HEAD');
    let outcome: RequestLinkOutcome;
    try {
      outcome = this.options.onRequestLink(id);
    } catch {
      outcome = 'unknown';
    }
    return page(response, outcome, request.method === 'HEAD');
  }

  private take(): boolean {
    const now = this.now();
    this.tokens = Math.min(BURST, this.tokens + ((now - this.refilledAt) / 1000) * RATE_PER_SECOND);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  Connection: 'close',
} as const;

function page(response: ServerResponse, outcome: RequestLinkOutcome | 'refused', headOnly: boolean): true {
  const { status, title, text } = PAGES[outcome];
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><p>${text}</p></body></html>\n`;
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    'Content-Length': Buffer.byteLength(body),
    ...(outcome === 'refused' ? { 'Retry-After': '1' } : {}),
  });
  response.end(headOnly ? undefined : body);
  return true;
}

function plain(response: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): true {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...extra });
  response.end(body);
  return true;
}
