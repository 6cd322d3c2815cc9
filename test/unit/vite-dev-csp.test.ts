/**
 * `npm run dev` must not show blank windows (the pages' CSP blocked React
 * Refresh's inline preamble, Vite's <style> and the HMR socket), and built
 * pages must keep the strict CSP: the relaxation applies to the dev server only.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import config from '../../electron.vite.config.js';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY as STRICT_META } from '../../src/main/electron/session-hardening.js';
import { relaxCspForDevServer } from '../../scripts/vite-dev-csp.js';
import { CSP_PLACEHOLDER } from '../../src/shared/content-security-policy.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PAGES = ['approval', 'entry', 'manager'] as const;

const metaPolicy = (html: string): string | undefined => /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1];

describe('pages CSP: strict when built, relaxed for the dev server only', () => {
  it('the source pages carry the one policy\'s placeholder; it becomes the strict policy, without frame-ancestors (ignored in a meta tag; the header sends it)', () => {
    for (const page of PAGES) assert.equal(metaPolicy(readFileSync(join(root, 'src/renderer', `${page}.html`), 'utf8')), CSP_PLACEHOLDER, page);
    assert.match(CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
    assert.doesNotMatch(STRICT_META, /frame-ancestors/);
    assert.equal(STRICT_META, CONTENT_SECURITY_POLICY.replace(/; frame-ancestors 'none'/, ''));
  });

  it('dev_server_csp: served pages allow inline script and style and the HMR socket — nothing else changes', () => {
    // The renderer's plugins in order: the one policy is written in, then the dev server relaxes it.
    const page = readFileSync(join(root, 'src/renderer/approval.html'), 'utf8').replaceAll(CSP_PLACEHOLDER, STRICT_META);
    const served = metaPolicy(relaxCspForDevServer(page));
    assert.equal(
      served,
      "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'none'; font-src 'self'; connect-src 'self' ws://localhost:* ws://127.0.0.1:*; base-uri 'none'; form-action 'none'",
    );
  });

  it('the plugin is in the renderer config and applies to `serve` only', () => {
    const plugins = (config.renderer?.plugins ?? []).flat() as Array<{ name?: string; apply?: unknown }>;
    const csp = plugins.find((p) => p?.name === 'keyhold-dev-server-csp');
    assert.equal(csp?.apply, 'serve');
  });

  it('built_pages_keep_strict_csp: out/renderer pages have exactly the strict policy', { skip: !existsSync(join(root, 'out/renderer/approval.html')) && 'run `npm run build` first' }, () => {
    for (const page of PAGES) {
      const policy = metaPolicy(readFileSync(join(root, 'out/renderer', `${page}.html`), 'utf8'));
      assert.equal(policy, STRICT_META, page);
      assert.doesNotMatch(policy ?? '', /unsafe-inline|ws:/);
    }
  });
});
