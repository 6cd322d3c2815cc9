/**
 * Where each window's page and preload live, and which URL a window's own
 * page has. Pure (no electron import): the window factory loads what this
 * returns, and the IPC router accepts calls only from a frame showing
 * exactly that URL.
 *
 * Production first: pages are files under out/renderer, loaded with loadFile.
 * A file page is recognised by the FILE it names, not by its URL string:
 * Electron's loadFile builds the URL with `url.format` (which escapes only `?`
 * and `#`) and Chromium then canonicalises it, while `pathToFileURL` escapes
 * `%` too — so an install path with `%` (or other escapes) gave two different
 * strings for one page, and every IPC call was refused.
 * The electron-vite dev server (ELECTRON_RENDERER_URL) is honoured only in an
 * unpackaged app and only on a loopback address: a packaged Keyhold must
 * never load its secret windows — whose preload can answer prompts — from a
 * URL taken out of its environment.
 */
import { posix, win32 } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { WindowKind } from '../../shared/ipc-contract.js';

export type PageSource = { readonly type: 'file'; readonly path: string } | { readonly type: 'url'; readonly url: string };

export interface RendererPages {
  /** What the window factory loads for a window of this kind. */
  source(kind: WindowKind): PageSource;
  /** The URL the window's main frame shows once that page loaded (no hash). */
  pageUrl(kind: WindowKind): string;
  /**
   * The sandboxed preload (one self-contained CommonJS bundle for every window;
   * the window kind reaches it as `--keyhold-window=<kind>`).
   */
  preloadPath(): string;
  /** True when `url` is the page of this kind (a hash is ignored: it never reaches a server or changes the document). */
  isOwnPage(kind: WindowKind, url: string): boolean;
}

export interface RendererPagesOptions {
  /** The build output directory (contains main/, preload/, renderer/). */
  readonly outDir: string;
  /** A trusted dev server origin, from `trustedDevServerUrl`. */
  readonly devServerUrl?: string;
}

export function createRendererPages(options: RendererPagesOptions): RendererPages {
  // Windows paths (C:\…, \\server\…) are joined, decoded and compared the Windows way.
  const windows = isWindowsPath(options.outDir);
  const { join } = windows ? win32 : posix;
  const filePath = (kind: WindowKind): string => join(options.outDir, 'renderer', `${kind}.html`);
  const pageUrl = (kind: WindowKind): string =>
    options.devServerUrl === undefined ? pathToFileURL(filePath(kind)).href : new URL(`${kind}.html`, withSlash(options.devServerUrl)).href;
  return {
    source: (kind) => (options.devServerUrl === undefined ? { type: 'file', path: filePath(kind) } : { type: 'url', url: pageUrl(kind) }),
    pageUrl,
    preloadPath: () => join(options.outDir, 'preload', 'index.cjs'),
    isOwnPage: (kind, url) => {
      if (options.devServerUrl !== undefined) return withoutHash(url) === withoutHash(pageUrl(kind));
      const path = filePathOfUrl(url, windows);
      return path !== undefined && (windows ? path.toLowerCase() === filePath(kind).toLowerCase() : path === filePath(kind));
    },
  };
}

/**
 * The file a `file:` URL names, decoded as Chromium's file loader does
 * (valid `%XX` runs decoded as UTF-8, anything else kept); undefined for any
 * other URL, one with a query or a host, or one that encodes a path separator
 * or NUL (which names no file Chromium would load).
 */
export function filePathOfUrl(url: string, windows: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'file:' || parsed.search !== '' || (parsed.host !== '' && parsed.host !== 'localhost')) return undefined;
  if (/%(2f|5c|00)/i.test(parsed.pathname)) return undefined;
  const decoded = parsed.pathname.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
  return windows ? decoded.replace(/^\/([A-Za-z]:)/, '$1').replace(/\//g, '\\') : decoded;
}

/** `C:\…`, `C:/…` or a UNC `\\server\share\…` path. */
export function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:[\\/]|^\\\\/.test(path);
}

/**
 * The dev server URL electron-vite passes, when it may be used: unpackaged
 * app, http(s), loopback host. Anything else is ignored (undefined), so the
 * production files load.
 */
export function trustedDevServerUrl(raw: string | undefined, isPackaged: boolean): string | undefined {
  if (isPackaged || raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!loopback || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return undefined;
  return url.origin;
}

/** `url` without its fragment; unparsable input stays as it is (and so never equals a page URL). */
export function withoutHash(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href;
  } catch {
    return url;
  }
}

function withSlash(origin: string): string {
  return origin.endsWith('/') ? origin : `${origin}/`;
}
