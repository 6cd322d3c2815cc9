/**
 * How the built main process starts, is started again, and ends — on the fake
 * Electron (see helpers/main-process-harness.ts), for the platforms where the
 * behaviour differs:
 *
 *  - a launch by the user opens the manager; a login-item launch (`--hidden`,
 *    macOS wasOpenedAtLogin) opens nothing, nor does a later `--hidden` launch;
 *  - a second launch focuses the first — and when the desktop refuses focus,
 *    the window flashes;
 *  - Cmd/Ctrl+R in a pre-loaded prompt window does not reload it;
 *  - a window that never becomes ready is shown anyway;
 *  - a Windows session end (no before-quit) leaves bridge.json behind; after a
 *    reboot its pid belongs to another process, and Keyhold still starts;
 *  - a relative KEYHOLD_HOME is refused with a clear message;
 *  - foreign_owned_data_dir: a data directory others can write in is refused
 *    in an error box.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { invokeChannel } from '../../src/shared/ipc-contract.js';
import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { bundleMissing as skip, live, MainProcess, openWindow, pageOf, waitFor, type FakePlatform, type RunAs } from './helpers/main-process-harness.js';

type Home = Awaited<ReturnType<typeof makeTempDir>>;

async function withApp<T>(runAs: RunAs, options: { env?: Record<string, string>; args?: string[] }, body: (main: MainProcess, home: Home) => Promise<T>): Promise<T> {
  const home = await makeTempDir('keyhold-life-');
  const main = MainProcess.start({ KEYHOLD_HOME: join(home.path, 'data'), XDG_CONFIG_HOME: join(home.path, 'config'), ...options.env }, { runAs, ...(options.args === undefined ? {} : { args: options.args }) });
  try {
    await waitFor('bridge.json', () => (existsSync(join(home.path, 'data', 'bridge.json')) ? true : undefined));
    return await body(main, home);
  } finally {
    await main.stop();
    await home.cleanup();
  }
}

async function bridgeClient(home: Home, server: string): Promise<RawBridgeClient> {
  const { url, token } = JSON.parse(readFileSync(join(home.path, 'data', 'bridge.json'), 'utf8')) as { url: string; token: string };
  return RawBridgeClient.hello(url, token, server);
}

const platforms: FakePlatform[] = ['linux', 'darwin', 'win32'];

describe('launch: what the user sees', { skip }, () => {
  for (const platform of platforms) {
    it(`${platform}: a launch by the user opens the manager (the tray icon may be hidden)`, async () => {
      await withApp({ platform, packaged: true }, {}, async (main) => {
        const manager = await openWindow(main, 'manager');
        assert.equal(manager.title, 'Keyhold');
      });
    });
  }

  it('a login-item launch (--hidden) opens nothing, and a later --hidden launch neither', async () => {
    await withApp({ platform: 'linux', packaged: true }, { args: ['--hidden'] }, async (main, home) => {
      const second = MainProcess.start({ KEYHOLD_HOME: join(home.path, 'data') }, { runAs: { platform: 'linux', packaged: true }, args: ['--hidden'] });
      assert.equal(await second.exited, 0);
      // The second launch reached the first (its second-instance handler ran) before we look.
      await waitFor('the second launch to be handled', () => (main.stderr.includes('[fake-electron] second-instance handled') ? true : undefined));
      assert.deepEqual(live(await main.state()), []);
    });
  });

  it('macOS: a login item passes no arguments; wasOpenedAtLogin keeps it quiet', async () => {
    await withApp({ platform: 'darwin', packaged: true }, { env: { FAKE_ELECTRON_OPENED_AT_LOGIN: '1' } }, async (main) => {
      await waitFor('the start-up log line', () => (main.stderr.includes('started at login') ? true : undefined));
      assert.deepEqual(live(await main.state()), []);
    });
  });

  it('a second launch while focus is refused (Windows foreground lock): the manager flashes in the taskbar', async () => {
    await withApp({ platform: 'win32', packaged: true }, { env: { FAKE_ELECTRON_FOCUS: 'refused' } }, async (main, home) => {
      await openWindow(main, 'manager');
      const second = MainProcess.start({ KEYHOLD_HOME: join(home.path, 'data'), FAKE_ELECTRON_FOCUS: 'refused' }, { runAs: { platform: 'win32', packaged: true } });
      assert.equal(await second.exited, 0);
      const manager = await waitFor('the manager to flash', async () => live(await main.state()).find((w) => pageOf(w) === 'manager.html' && w.flashing));
      assert.equal(manager.focused, false);
    });
  });

  it('a window that never becomes ready is shown anyway, and the log says so', async () => {
    await withApp({ platform: 'linux', packaged: true }, { env: { FAKE_ELECTRON_READY: 'never' } }, async (main) => {
      await waitFor('the manager, shown without ready-to-show', async () => live(await main.state()).find((w) => pageOf(w) === 'manager.html' && w.visible), 20_000);
      assert.match(main.stderr, /the manager window was not ready after \d+ ms; showing it anyway/);
    });
  });
});

describe('prompt windows', { skip }, () => {
  for (const platform of ['darwin', 'linux'] as const) {
    it(`${platform}: Cmd/Ctrl+R in a pre-loaded prompt window does not reload (blank) it`, async () => {
      await withApp({ platform, packaged: false }, { args: ['--hidden'] }, async (main, home) => {
        const client = await bridgeClient(home, 'reload');
        try {
          const requestId = client.send('secrets.request', { fields: [{ name: 'k', label: 'K', type: 'password', required: true }] });
          await client.pending(requestId);
          await openWindow(main, 'entry');
          // Once a prompt was shown, a hidden pre-loaded window of that kind waits for the next one.
          const warm = await waitFor('a warm entry window', async () => live(await main.state()).find((w) => w.url.endsWith('entry.html#warm') && !w.visible));
          assert.equal(await main.call({ op: 'press-reload', windowId: warm.id }), false, 'no menu item reloads it');
          assert.equal(live(await main.state()).find((w) => w.id === warm.id)?.reloads, 0);
        } finally {
          client.close();
        }
      });
    });
  }

  it('a prompt window takes the height of its page, within its min/max', async () => {
    await withApp({ platform: 'linux', packaged: true }, { args: ['--hidden'] }, async (main, home) => {
      const client = await bridgeClient(home, 'sizing');
      try {
        const requestId = client.send('secrets.request', { fields: [{ name: 'k', label: 'K', type: 'password', required: true }] });
        await client.pending(requestId);
        const entry = await openWindow(main, 'entry');
        await main.call({ op: 'preferred-size', windowId: entry.id, width: 540, height: 431 });
        assert.deepEqual(live(await main.state()).find((w) => w.id === entry.id)?.contentSize, [540, 431]);
        await main.call({ op: 'preferred-size', windowId: entry.id, width: 540, height: 4000 });
        assert.deepEqual(live(await main.state()).find((w) => w.id === entry.id)?.contentSize, [540, 760]);
        await main.call({ op: 'notification-failed', index: 0 });
        await waitFor('the notification failure in the log', () => (main.stderr.includes('the desktop notification for the entry prompt could not be shown') ? true : undefined));
        assert.deepEqual(await main.invoke(entry.id, invokeChannel('entry', 'cancel'), {}), {});
      } finally {
        client.close();
      }
    });
  });
});

describe('start-up refusals and leftovers', { skip }, () => {
  let home: Home;
  before(async () => (home = await makeTempDir('keyhold-life-')));
  after(async () => home.cleanup());

  it('Windows session end skips before-quit; after a reboot the recorded pid belongs to another process, and Keyhold starts anyway', async () => {
    const env = { KEYHOLD_HOME: join(home.path, 'data') };
    const runAs: RunAs = { platform: 'win32', packaged: true };
    const first = MainProcess.start(env, { runAs, args: ['--hidden'] });
    const discovery = join(home.path, 'data', 'bridge.json');
    await waitFor('bridge.json', () => (existsSync(discovery) ? true : undefined));
    await first.call({ op: 'session-end' });
    assert.equal(await first.exited, 0);
    assert.equal(existsSync(discovery), true, 'no before-quit: bridge.json is left behind');
    // After the reboot, the recorded pid is a live process that is not Keyhold (here: this test runner).
    const stale = JSON.parse(readFileSync(discovery, 'utf8')) as Record<string, unknown>;
    writeFileSync(discovery, JSON.stringify({ ...stale, pid: process.pid }), { mode: 0o600 });

    const next = MainProcess.start(env, { runAs, args: ['--hidden'] });
    try {
      await waitFor('the new start', () => (next.stderr.includes('listening on') ? true : undefined));
      assert.notEqual((JSON.parse(readFileSync(discovery, 'utf8')) as { pid: number }).pid, process.pid, 'a fresh bridge.json');
      assert.deepEqual((await next.state()).errorBoxes, []);
    } finally {
      await next.stop();
    }
  });

  it('a relative KEYHOLD_HOME is refused in an error box (exit 1) instead of crashing app.setPath', async () => {
    const main = MainProcess.start({ KEYHOLD_HOME: 'keyhold-data' });
    const box = main.errorBox();
    assert.equal(await main.exited, 1, main.stderr);
    const shown = await box;
    assert.equal(shown.title, 'Keyhold could not start');
    assert.match(shown.message, /^KEYHOLD_HOME is "keyhold-data", a relative path\. Set it to an absolute path/);
  });

  // main.ts checks before `ready` (privateDataDirProblem, unit-tested in data-dir-guard.test.ts); startCore checks
  // again. This test sees only the outcome: the fake, like Chromium, removes its lock at exit, so it cannot tell which refused.
  it('foreign_owned_data_dir: a data directory writable by others is refused in an error box (exit 1), nothing left in it', async () => {
    const home = await makeTempDir('keyhold-life-');
    try {
      const dataDir = join(home.path, 'data');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o777);
      const main = MainProcess.start({ KEYHOLD_HOME: dataDir, XDG_CONFIG_HOME: join(home.path, 'config') });
      const box = main.errorBox();
      assert.equal(await main.exited, 1, main.stderr);
      const shown = await box;
      assert.equal(shown.title, 'Keyhold could not start');
      assert.match(shown.message, /^Refusing the Keyhold data directory .*: it is writable by group or others \(mode 777\).*Fix: `chmod go-w /);
      assert.deepEqual(readdirSync(dataDir), [], 'no lock, no bridge.json, nothing written');
    } finally {
      await home.cleanup();
    }
  });
});
