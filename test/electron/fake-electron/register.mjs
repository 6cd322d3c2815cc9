// Loaded with `node --import tsx --import ./register.mjs out/main/index.js`:
// the built main process then runs on plain Node against a fake Electron and
// an in-memory keychain (see hooks.mjs). Test-only; never shipped.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
