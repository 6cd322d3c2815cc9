/**
 * Request → approval window painted, through the browser harness (the real
 * core in this process, the built renderer in headless Chromium). As in the
 * app, a prompt goes to the pre-loaded "warm" page of its kind when there is
 * one (every prompt after the first), and the next warm page is pre-loaded
 * after it; the first prompt of the run gets a new page.
 *
 * Each window is answered after USER_READS_MS, as a user who compares the
 * verification code first: no one answers within a few hundred ms, and an
 * instant answer would measure back-to-back prompts (the second of which
 * finds the next warm page still loading) rather than the usual case.
 *
 * Clock: this process notes `timeOrigin + now()` just before the client
 * sends; an init script in every page watches for the verification code and
 * notes when it was painted (Element Timing's renderTime for the code, else
 * the frame after it was inserted), on the page's own `timeOrigin + now()`
 * scale. Both are wall-clock based, high resolution, on the same machine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';

import type { Page } from 'playwright-core';

import { KeyholdClient } from '../../src/bridge/index.js';
import { BrowserHarness, CHROMIUM_PATH } from '../../test/harness/browser-harness.js';
import { REPO_ROOT } from '../serve-process.js';
import { summarize, type BenchResult } from '../stats.js';

const NAME = 'request → approval window painted';

/** How long the simulated user looks at a window before answering it. */
const USER_READS_MS = 1000;

/** Runs in every page before its scripts: records when the verification code was first painted. */
const PAINT_PROBE = `(() => {
  const done = (at) => { if (globalThis.__keyholdPaintedAt === undefined) globalThis.__keyholdPaintedAt = at; };
  const abs = (t) => performance.timeOrigin + t;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.identifier === 'keyhold-code' && entry.renderTime > 0) done(abs(entry.renderTime));
    }).observe({ type: 'element', buffered: true });
  } catch {}
  const seen = () => {
    const code = document.querySelector('[data-testid="verification-code"]');
    if (code === null || (code.textContent ?? '').trim() === '') return false;
    code.setAttribute('elementtiming', 'keyhold-code');
    // Fallback where Element Timing reports nothing: the frame after insertion.
    requestAnimationFrame(() => setTimeout(() => done(abs(performance.now())), 0));
    return true;
  };
  new MutationObserver((_m, observer) => { if (seen()) observer.disconnect(); })
    .observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/** Evaluated in the page after the paint: whether Element Timing reported, and when DOMContentLoaded ended. */
const PHASE_PROBE = `(() => {
  const navigation = performance.getEntriesByType('navigation')[0];
  return { element: performance.getEntriesByType('element').length > 0, loaded: performance.timeOrigin + (navigation ? navigation.domContentLoadedEventEnd : NaN) };
})()`;

export async function benchWindow(options: { quick: boolean; log: (line: string) => void }): Promise<BenchResult[]> {
  if (!existsSync(CHROMIUM_PATH)) return [{ name: NAME, skipped: `no Chromium at ${CHROMIUM_PATH} (set KEYHOLD_CHROMIUM)` }];
  const built = ensureRenderer(options.log);
  if (built !== undefined) return [{ name: NAME, skipped: built }];

  const home = await mkdtemp(join(tmpdir(), 'keyhold-bench-ui-'));
  const harness = await BrowserHarness.start({ dataDir: home });
  const server = `bench-ui-${process.pid}`;
  const client = new KeyholdClient({ server: { name: server }, url: harness.core.url, token: harness.core.token });
  const samples: number[] = [];
  const pageCreated: number[] = [];
  const rendererLoaded: number[] = [];
  let elementTiming = 0;
  try {
    await harness.core.vault.put(server, { token: 'ghp_bench_window' });
    const warm = await openOnce(harness, client);
    await warm.page.context().addInitScript({ content: PAINT_PROBE });
    await warm.answer();
    for (let i = 0; i < (options.quick ? 3 : 5); i += 1) await (await openOnce(harness, client)).answer();

    const count = options.quick ? 12 : 40;
    for (let i = 0; i < count; i += 1) {
      const window = await openOnce(harness, client);
      const painted = await window.page.waitForFunction(() => (globalThis as { __keyholdPaintedAt?: number }).__keyholdPaintedAt, undefined, { timeout: 10_000 });
      const paintedAt = Number(await painted.jsonValue());
      samples.push(paintedAt - window.sentAt);
      pageCreated.push(window.openedAt - window.sentAt);
      const probe = (await window.page.evaluate(PHASE_PROBE)) as { element: boolean; loaded: number };
      rendererLoaded.push(probe.loaded - window.sentAt);
      if (probe.element) elementTiming += 1;
      await window.answer();
    }
  } finally {
    await client.close();
    await harness.core.vault.remove(server, 'token').catch(() => false);
    await harness.stop();
    await rm(home, { recursive: true, force: true });
  }
  const how = elementTiming === samples.length ? 'Element Timing' : `Element Timing for ${elementTiming}/${samples.length}, else the frame after insertion`;
  return [
    { name: NAME, note: `client sends → code painted in the (warm) headless Chromium page serving the prompt (${how})`, ...summarize(samples) },
    { name: 'window phase: page created', note: 'client sends → the harness has assigned a page to the prompt', ...summarize(pageCreated) },
    {
      name: 'window phase: renderer loaded',
      note: 'client sends → DOMContentLoaded of the approval page (negative: a warm page had loaded before the request)',
      ...summarize(rendererLoaded),
    },
  ];
}

interface OpenWindow {
  readonly page: Page;
  readonly sentAt: number;
  readonly openedAt: number;
  answer(): Promise<void>;
}

/** Sends a read that needs approval and waits until its window exists; `answer` clicks Allow and waits for the value. */
async function openOnce(harness: BrowserHarness, client: KeyholdClient): Promise<OpenWindow> {
  const since = harness.opened.length;
  const sentAt = performance.timeOrigin + performance.now();
  const reading = client.get(['token']);
  const opened = await harness.nextWindow(since);
  return {
    page: opened.page,
    sentAt,
    openedAt: performance.timeOrigin + performance.now(),
    answer: async () => {
      await new Promise((resolve) => setTimeout(resolve, USER_READS_MS));
      // The answer closes the page, possibly while Playwright still follows up on the click.
      await opened.page.getByTestId('allow').click().catch(() => undefined);
      await reading;
      await opened.closed;
    },
  };
}

/** out/renderer is built by `npx electron-vite build`; build it when missing. Returns why it could not, if so. */
function ensureRenderer(log: (line: string) => void): string | undefined {
  if (existsSync(join(REPO_ROOT, 'out', 'renderer', 'approval.html'))) return undefined;
  log('building the renderer (npx electron-vite build)…');
  const result = spawnSync('npx', ['electron-vite', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status === 0 && existsSync(join(REPO_ROOT, 'out', 'renderer', 'approval.html'))) return undefined;
  return `the renderer could not be built (npx electron-vite build: ${result.stderr.trim().split('\n').pop() ?? result.status})`;
}
