import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { format } from 'node:url';

import { createRendererPages, filePathOfUrl, trustedDevServerUrl, withoutHash } from '../../src/main/electron/renderer-pages.js';

/**
 * The URL a window shows after `loadFile(path)`: Electron builds it with
 * `url.format({ protocol: 'file', slashes: true, pathname })` (lib/browser/api/web-contents.ts),
 * then Chromium canonicalises it (here: the WHATWG parser, which percent-encodes the same way for file URLs).
 */
function loadFileUrl(path: string): string {
  return new URL(format({ protocol: 'file', slashes: true, pathname: path })).href;
}

const outDir = join('/opt', 'Key hold', 'app.asar', 'out');

describe('renderer pages', () => {
  it('production: each window loads its own file and preload from out/', () => {
    const pages = createRendererPages({ outDir });
    assert.deepEqual(pages.source('approval'), { type: 'file', path: join(outDir, 'renderer', 'approval.html') });
    assert.equal(pages.pageUrl('entry'), pathToFileURL(join(outDir, 'renderer', 'entry.html')).href);
    assert.equal(pages.preloadPath(), join(outDir, 'preload', 'index.cjs'));
  });

  it("isOwnPage: the exact page (hash ignored), not another window's page or a look-alike", () => {
    const pages = createRendererPages({ outDir });
    const own = pages.pageUrl('approval');
    assert.equal(pages.isOwnPage('approval', own), true);
    assert.equal(pages.isOwnPage('approval', `${own}#x`), true);
    assert.equal(pages.isOwnPage('approval', `${own}?x=1`), false);
    assert.equal(pages.isOwnPage('approval', pages.pageUrl('manager')), false);
    assert.equal(pages.isOwnPage('approval', 'file:///tmp/approval.html'), false);
    assert.equal(pages.isOwnPage('approval', 'not a url'), false);
  });

  it('ipc_page_check_canonical_path: an install path with %, a space and a non-ASCII letter: the page loadFile shows is still its own page', () => {
    // (A directory whose name is itself a valid escape, like "%41", cannot be loaded by loadFile at all: Chromium decodes it.)
    for (const dir of ['/opt/Keyhold 100%/resources/app.asar/out', '/home/zoë/a%zz#b?c/out']) {
      const pages = createRendererPages({ outDir: dir });
      const shown = loadFileUrl(join(dir, 'renderer', 'approval.html'));
      assert.equal(pages.isOwnPage('approval', shown), true, `${dir}: ${shown}`);
      assert.equal(pages.isOwnPage('approval', `${shown}#warm`), true);
      assert.equal(pages.isOwnPage('manager', shown), false);
    }
  });

  it('Windows install paths: drive letter, backslashes, case-insensitive', () => {
    const dir = 'C:\\Users\\Zoë\\AppData\\Local\\Programs\\Keyhold 100%\\resources\\app.asar\\out';
    const pages = createRendererPages({ outDir: dir });
    const path = `${dir}\\renderer\\entry.html`;
    assert.equal(filePathOfUrl('file:///C:/Users/Zo%C3%AB/AppData/Local/Programs/Keyhold%20100%/resources/app.asar/out/renderer/entry.html', true), path);
    assert.equal(pages.isOwnPage('entry', 'file:///c:/users/zo%C3%AB/appdata/local/programs/keyhold%20100%/resources/app.asar/out/renderer/entry.html'), true);
  });

  it('isOwnPage refuses encoded separators, a host, or a query that name no file of ours', () => {
    const pages = createRendererPages({ outDir: '/opt/k/out' });
    assert.equal(pages.isOwnPage('entry', 'file:///opt/k/out/renderer/entry.html'), true);
    assert.equal(pages.isOwnPage('entry', 'file:///opt/k/out%2Frenderer/entry.html'), false);
    assert.equal(pages.isOwnPage('entry', 'file://evil/opt/k/out/renderer/entry.html'), false);
    assert.equal(pages.isOwnPage('entry', 'file:///opt/k/out/renderer/entry.html?x'), false);
    assert.equal(pages.isOwnPage('entry', 'file:///opt/k/out/renderer/../renderer/entry.html'), true, 'the parser resolves dot segments');
  });

  it('development: pages come from the dev server', () => {
    const pages = createRendererPages({ outDir, devServerUrl: 'http://localhost:5173' });
    assert.deepEqual(pages.source('manager'), { type: 'url', url: 'http://localhost:5173/manager.html' });
    assert.equal(pages.isOwnPage('manager', 'http://localhost:5173/manager.html'), true);
    assert.equal(pages.isOwnPage('manager', pathToFileURL(join(outDir, 'renderer', 'manager.html')).href), false);
  });

  it('env_renderer_url_in_production: the dev server URL is ignored when packaged or not on loopback', () => {
    assert.equal(trustedDevServerUrl('http://localhost:5173', false), 'http://localhost:5173');
    assert.equal(trustedDevServerUrl('http://127.0.0.1:5173/', false), 'http://127.0.0.1:5173');
    assert.equal(trustedDevServerUrl('http://[::1]:5173', false), 'http://[::1]:5173');
    assert.equal(trustedDevServerUrl('http://localhost:5173', true), undefined, 'packaged');
    assert.equal(trustedDevServerUrl('https://evil.example', false), undefined);
    assert.equal(trustedDevServerUrl('http://localhost.evil.example:5173', false), undefined);
    assert.equal(trustedDevServerUrl('file:///tmp/x', false), undefined);
    assert.equal(trustedDevServerUrl('http://user:pw@localhost:1', false), undefined);
    assert.equal(trustedDevServerUrl('', false), undefined);
    assert.equal(trustedDevServerUrl(undefined, false), undefined);
  });

  it('withoutHash', () => {
    assert.equal(withoutHash('file:///a/b.html#c'), 'file:///a/b.html');
    assert.equal(withoutHash('%%'), '%%');
  });
});
