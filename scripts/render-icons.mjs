#!/usr/bin/env node
// Renders Keyhold's icons from SVG with headless Chromium (playwright-core):
//   build/icon.svg, build/icon.png (512×512)               — app icon (electron-builder makes .icns/.ico from it)
//   build/tray-icon.png (22×22) + @2x (44×44)               — tray icon, Windows/Linux (teal, reads on light and dark panels)
//   build/tray-iconTemplate.png (22×22) + @2x (44×44)       — macOS menu bar "template" image: black + alpha, tinted by macOS
//   build/tray-icon.ico (16, 20, 24, 32, 40, 48)             — Windows notification area: one file, a size per display scale
// The mark: a shield with a keyhole cut through it. Run after changing the drawing:
//   node scripts/render-icons.mjs [--chromium /path/to/chromium]
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'build');
const flag = process.argv.indexOf('--chromium');
const executablePath = flag > 0 ? process.argv[flag + 1] : (process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');

// Drawn on a 1024 grid. The shield: flat-ish top with soft shoulders, pointed base.
const SHIELD = 'M512 214 C596 256 670 276 744 282 L744 512 C744 664 648 770 512 824 C376 770 280 664 280 512 L280 282 C354 276 428 256 512 214 Z';
/** A keyhole centred on x=512: round head, tapered stem with rounded foot. */
function keyhole({ cy, r, stemTop, stemBottom, halfTop, halfBottom }) {
  return [
    `<circle cx="512" cy="${cy}" r="${r}"/>`,
    `<path d="M${512 - halfTop} ${stemTop} L${512 + halfTop} ${stemTop} L${512 + halfBottom} ${stemBottom - 10} Q${512 + halfBottom} ${stemBottom} ${512 + halfBottom - 10} ${stemBottom} L${512 - halfBottom + 10} ${stemBottom} Q${512 - halfBottom} ${stemBottom} ${512 - halfBottom} ${stemBottom - 10} Z"/>`,
  ].join('');
}

function appIconSvg() {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1024 1024" width="1024" height="1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#14b8a6"/>
      <stop offset="1" stop-color="#1e40af"/>
    </linearGradient>
    <linearGradient id="shield" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#ffffff"/>
      <stop offset="1" stop-color="#e2e8f0"/>
    </linearGradient>
    <mask id="hole">
      <rect width="1024" height="1024" fill="#fff"/>
      <g fill="#000">${keyhole({ cy: 468, r: 66, stemTop: 500, stemBottom: 650, halfTop: 30, halfBottom: 52 })}</g>
    </mask>
    <filter id="shadow" x="-20%" y="-20%" width="140%" height="140%">
      <feDropShadow dx="0" dy="14" stdDeviation="18" flood-color="#0b1f44" flood-opacity="0.35"/>
    </filter>
  </defs>
  <rect x="100" y="100" width="824" height="824" rx="184" fill="url(#bg)"/>
  <path d="${SHIELD}" fill="url(#shield)" mask="url(#hole)" filter="url(#shadow)"/>
</svg>
`;
}

/** Tray: the shield alone, filling the square, with a larger keyhole so it reads at 22 px. */
function trayIconSvg(color) {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="232 190 560 660" width="22" height="22" preserveAspectRatio="xMidYMid meet">
  <defs>
    <mask id="hole">
      <rect x="0" y="0" width="1024" height="1024" fill="#fff"/>
      <g fill="#000">${keyhole({ cy: 462, r: 92, stemTop: 500, stemBottom: 690, halfTop: 44, halfBottom: 74 })}</g>
    </mask>
  </defs>
  <path d="${SHIELD}" fill="${color}" mask="url(#hole)"/>
</svg>
`;
}

const targets = [
  { file: 'icon.png', svg: appIconSvg(), size: 512 },
  { file: 'tray-icon.png', svg: trayIconSvg('#14b8a6'), size: 22 },
  { file: 'tray-icon@2x.png', svg: trayIconSvg('#14b8a6'), size: 44 },
  { file: 'tray-iconTemplate.png', svg: trayIconSvg('#000000'), size: 22 },
  { file: 'tray-iconTemplate@2x.png', svg: trayIconSvg('#000000'), size: 44 },
];

/** Sizes Windows picks from for a notification-area icon (16 px at 100 % … 48 px at 300 %). */
const ICO_SIZES = [16, 20, 24, 32, 40, 48];

/** An .ico file holding PNG images (Windows Vista and later read PNG entries). */
function icoOf(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4);
    entry.writeUInt16LE(32, 6);
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

await mkdir(out, { recursive: true });
await writeFile(join(out, 'icon.svg'), appIconSvg());
await writeFile(join(out, 'tray-icon.svg'), trayIconSvg('#14b8a6'));

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  for (const { file, svg, size } of targets) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const sized = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    await page.screenshot({ path: join(out, file), omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
    process.stdout.write(`build/${file} (${size}×${size})\n`);
  }
  const images = [];
  for (const size of ICO_SIZES) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const sized = trayIconSvg('#14b8a6').replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    images.push({ size, png: await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }) });
    await page.close();
  }
  await writeFile(join(out, 'tray-icon.ico'), icoOf(images));
  process.stdout.write(`build/tray-icon.ico (${ICO_SIZES.join(', ')})\n`);
} finally {
  await browser.close();
}
