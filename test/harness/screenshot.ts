/**
 * Screenshots of the windows for the README (`npm run screenshots` sets
 * KEYHOLD_SCREENSHOTS_DIR=docs/screenshots; otherwise they go to
 * test-artifacts/screenshots).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import { fittedHeight } from '../../src/main/electron/window-factory.js';
import type { WindowKind } from '../../src/shared/ipc-contract.js';
import { REPO_ROOT } from '../helpers/spawn-serve.js';
import { HARNESS_VIEWPORTS } from './browser-harness.js';

const SHOTS = process.env['KEYHOLD_SCREENSHOTS_DIR'] ?? join(REPO_ROOT, 'test-artifacts', 'screenshots');

/**
 * Screenshots of a window as the app shows it: a prompt window at the height
 * main fits it to (its page's height, within min/max); the manager at its
 * window size, grown by whatever its scrolling list holds beyond the fold —
 * a full-page capture alone stops at the window, since the list scrolls
 * inside the page (that clipped the last server group in earlier pictures).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  // From the top, as the window first shows (focusing an invalid field may have scrolled it).
  await page.evaluate(`for (const el of [document.scrollingElement, ...document.querySelectorAll('*')]) if (el && el.scrollTop > 0) el.scrollTop = 0;`);
  const kind = /\/(approval|entry|manager)\.html/.exec(page.url())?.[1] as WindowKind | undefined;
  assert.ok(kind !== undefined, page.url());
  const size = HARNESS_VIEWPORTS[kind];
  for (const scheme of ['light', 'dark'] as const) {
    // Measured at the window's own size each time (a viewport already grown has nothing left to scroll).
    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme: scheme });
    if (kind === 'manager') {
      const beyond = await page.evaluate<number>(`Math.max(0, ...[...document.querySelectorAll('*')].map((el) => el.scrollHeight - el.clientHeight))`);
      await page.setViewportSize({ width: size.width, height: size.height + beyond });
    } else {
      const wanted = await page.evaluate<number>('document.documentElement.offsetHeight');
      await page.setViewportSize({ width: size.width, height: fittedHeight(kind, wanted) });
    }
    await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
  }
  await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: 'light' });
}

