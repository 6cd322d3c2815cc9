// Loaded with `node --import tsx --import ./register.mjs out/main/index.js`:
// the built main process then runs on plain Node against a fake Electron and
// an in-memory keychain (see hooks.mjs). Test-only; never shipped.
//
// FAKE_ELECTRON_PLATFORM (linux | darwin | win32) makes `process.platform` say
// that platform before main loads, so main's platform branches run here. Only
// Electron-facing behaviour follows it; Node's own `path` stays this OS's.
import { register } from 'node:module';

const platform = process.env.FAKE_ELECTRON_PLATFORM;
if (platform !== undefined && platform !== '') {
  if (!['linux', 'darwin', 'win32'].includes(platform)) throw new Error(`FAKE_ELECTRON_PLATFORM: unknown platform ${platform}`);
  Object.defineProperty(process, 'platform', { value: platform, enumerable: true, configurable: true });
}

register('./hooks.mjs', import.meta.url);
// The test's remote control (it imports the fake `electron`, the same module instance main gets).
await import('./remote-control.ts');
