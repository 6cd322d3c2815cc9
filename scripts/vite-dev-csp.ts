/**
 * The pages' Content-Security-Policy, relaxed for `electron-vite dev` only.
 *
 * Each page carries a strict CSP meta tag (no inline script or style, no
 * connections). Under the dev server that blanks every window: React
 * Refresh's preamble is an inline script, Vite injects CSS as <style>, and
 * HMR talks over a WebSocket. This Vite plugin applies only to `serve` and
 * adds exactly those three allowances to the served HTML; `build` leaves the
 * pages as they are (test/unit/vite-dev-csp.test.ts checks both).
 */
import type { Plugin } from 'vite';

/** What the dev server needs, per directive. */
export const DEV_SERVER_ALLOWANCES: Readonly<Record<string, readonly string[]>> = {
  'script-src': ["'unsafe-inline'"],
  'style-src': ["'unsafe-inline'"],
  'connect-src': ["'self'", 'ws://localhost:*', 'ws://127.0.0.1:*'],
};

const META_CSP = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/i;

/** The CSP of a `content` attribute with the dev allowances added ('none' dropped where something is now allowed). */
export function relaxedPolicy(policy: string): string {
  return policy
    .split(';')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '')
    .map((directive) => {
      const [name = '', ...sources] = directive.split(/\s+/);
      const extra = DEV_SERVER_ALLOWANCES[name];
      if (extra === undefined) return directive;
      const kept = sources.filter((s) => s !== "'none'");
      return [name, ...kept, ...extra.filter((s) => !kept.includes(s))].join(' ');
    })
    .join('; ');
}

/** The page with its CSP meta tag relaxed for the dev server; a page without one is returned unchanged. */
export function relaxCspForDevServer(html: string): string {
  return html.replace(META_CSP, (_match, head: string, policy: string, tail: string) => `${head}${relaxedPolicy(policy)}${tail}`);
}

export function devServerCsp(): Plugin {
  return { name: 'keyhold-dev-server-csp', apply: 'serve', transformIndexHtml: relaxCspForDevServer };
}
