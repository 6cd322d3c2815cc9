/**
 * Runs the BUILT main process (out/main/index.js) on plain Node against the
 * fake Electron (test/electron/fake-electron/), as one platform and packaging
 * state, from an install directory whose path has a space, a `%` and a
 * non-ASCII letter (the IPC page check must hold there). The test drives it
 * over the Node IPC channel (remote-control.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { makeTempDir } from '../../helpers/temp-dir.js';

export const root = fileURLToPath(new URL('../../..', import.meta.url));
const register = new URL('../fake-electron/register.mjs', import.meta.url).href;

export const PLATFORMS = ['linux', 'darwin', 'win32'] as const;
export type FakePlatform = (typeof PLATFORMS)[number];

export interface MenuItem {
  label: string | null;
  role: string | null;
  type: string;
  enabled: boolean;
  checked: boolean;
  clickable: boolean;
  submenu: MenuItem[] | null;
}
export interface WindowState {
  id: number;
  title: string;
  options: { webPreferences: Record<string, unknown>; show: boolean; resizable?: boolean; width?: number };
  loaded: { file?: string };
  url: string;
  contentProtection: boolean;
  menuRemoved: boolean;
  visible: boolean;
  focused: boolean;
  flashing: boolean;
  contentSize: [number, number];
  destroyed: boolean;
  sent: string[];
  reloads: number;
  contentsEvents: string[];
  windowEvents: string[];
  denyWindowOpen: boolean;
}
export interface AppState {
  app: {
    name: string;
    paths: Record<string, string>;
    sandboxEnabled: boolean;
    singleInstanceRequested: boolean;
    singleInstanceLock: boolean;
    protocolClients: string[];
    stealFocus: number;
    loginItems: Array<{ openAtLogin: boolean; path?: string; args?: string[] }>;
  };
  session: { permissionRequest: boolean; permissionCheck: boolean; device: boolean; headerUrls: string[] };
  notifications: Array<{ title: string; body: string; shown: boolean; closed: boolean }>;
  errorBoxes: Array<{ title: string; message: string }>;
  applicationMenu: MenuItem[] | null;
  windows: WindowState[];
  tray: { image: string; tooltip: string; destroyed: boolean; menuBuilds: number; clickListeners: number; menu: MenuItem[] } | null;
  ipcChannels: string[];
  appEvents: string[];
}

export interface RunAs {
  readonly platform: FakePlatform;
  readonly packaged: boolean;
}

/**
 * A copy of the build in a directory named like a real install path can be
 * ("Keyhold 100% é"): package.json and out/ copied (main resolves its pages and tray icon next
 * to itself), node_modules and build/ linked.
 */
export async function installCopy(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const temp = await makeTempDir('keyhold-install-');
  const dir = join(temp.path, 'Keyhold 100% é');
  mkdirSync(dir);
  cpSync(join(root, 'out'), join(dir, 'out'), { recursive: true });
  // "type": "module" and "main": as in the app.asar electron-builder makes.
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(root, 'build'), join(dir, 'build'));
  return { path: dir, cleanup: temp.cleanup };
}

export class MainProcess {
  stderr = '';
  readonly exited: Promise<number | null>;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    child.on('message', (message: { seq?: number; ok?: boolean; value?: unknown; error?: string }) => {
      const waiter = message.seq === undefined ? undefined : this.waiting.get(message.seq);
      if (waiter === undefined || message.seq === undefined) return;
      this.waiting.delete(message.seq);
      if (message.ok === true) waiter.resolve(message.value);
      else waiter.reject(new Error(message.error));
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** `installDir`: an installCopy() (default: the checkout). `args`: command-line arguments after the bundle. */
  static start(env: Record<string, string>, options: { runAs?: RunAs; installDir?: string; args?: string[] } = {}): MainProcess {
    const childEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('ELECTRON_') && !key.startsWith('FAKE_ELECTRON_') && key !== 'NODE_OPTIONS') childEnv[key] = value;
    const installDir = options.installDir ?? root;
    const runAs = options.runAs ?? { platform: 'linux', packaged: false };
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', register, join(installDir, 'out', 'main', 'index.js'), ...(options.args ?? [])], {
      cwd: root,
      env: {
        ...childEnv,
        FAKE_ELECTRON_PLATFORM: runAs.platform,
        FAKE_ELECTRON_PACKAGED: runAs.packaged ? '1' : '0',
        FAKE_ELECTRON_APP_PATH: installDir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new MainProcess(child);
  }

  call<T>(command: Record<string, unknown>): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...command, seq });
    });
  }

  state(): Promise<AppState> {
    return this.call<AppState>({ op: 'state' });
  }

  invoke(windowId: number, channel: string, payload: unknown, frame?: unknown, extra: unknown[] = []): Promise<unknown> {
    return this.call({ op: 'invoke', windowId, channel, args: [payload, ...extra], ...(frame === undefined ? {} : { frame }) });
  }

  /** Resolves with the first error box main shows. */
  errorBox(): Promise<{ title: string; message: string }> {
    return new Promise((resolve) => this.child.on('message', (m: { event?: string; title: string; message: string }) => m.event === 'error-box' && resolve(m)));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill();
      await this.exited;
    }
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const labels = (menu: MenuItem[]): Array<string | null> => menu.map((i) => i.label);
export const live = (state: AppState): WindowState[] => state.windows.filter((w) => !w.destroyed);
export const pageOf = (w: WindowState): string => w.url.replace(/#.*$/, '').replace(/^.*\/out\/renderer\//, '');

export async function openWindow(main: MainProcess, kind: string): Promise<WindowState> {
  // A warm (pre-loaded) window's URL ends in #warm; it serves a prompt once it is visible.
  return waitFor(`a visible ${kind} window`, async () => live(await main.state()).find((w) => pageOf(w) === `${kind}.html` && w.visible));
}

export const bundleMissing = existsSync(join(root, 'out/main/index.js')) ? false : 'out/main/index.js is missing: run `npm run build` first';
