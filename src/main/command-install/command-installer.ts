/**
 * Settings → "Install the keyhold command": puts the packaged app's `keyhold`
 * launcher (resources/cli/keyhold, build/cli/) on the user's PATH, and takes
 * it away again. No Electron import: main passes the paths and the two
 * system calls that need the OS (the macOS admin prompt, the Windows user
 * PATH), so tests run it on plain Node.
 *
 * - Linux: a symlink `~/.local/bin/keyhold` (the XDG user bin dir, on PATH in
 *   most distributions; the status says so when it is not). Not from an
 *   AppImage: its files live under a mount point that changes on every start.
 * - macOS: a symlink `/usr/local/bin/keyhold`, made through the system's
 *   administrator prompt (`osascript … with administrator privileges`).
 * - Windows: the app's `resources\cli` folder (keyhold.cmd) added to the user
 *   PATH (new terminals see it).
 * An existing `keyhold` there that is not ours is never replaced or removed.
 */
import { lstat, mkdir, readlink, symlink, unlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

import type { CommandStatus } from '../../shared/ipc-contract.js';

export interface CommandInstallerDeps {
  readonly platform: NodeJS.Platform;
  readonly home: string;
  /** The folder with the launcher (keyhold, keyhold.cmd) and the bundled CLI. */
  readonly cliDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** macOS: runs a shell command with administrator rights after the system's prompt; rejects when the user cancels. */
  readonly runAsAdmin: (shellCommand: string) => Promise<void>;
  /** Windows: reads and writes the user's own PATH (HKCU\Environment). */
  readonly userPath: { get(): Promise<string>; set(value: string): Promise<void> };
}

export interface CommandInstaller {
  status(): Promise<CommandStatus>;
  install(): Promise<CommandStatus>;
  remove(): Promise<CommandStatus>;
}

export function createCommandInstaller(deps: CommandInstallerDeps): CommandInstaller {
  if (deps.platform === 'win32') return windowsInstaller(deps);
  const target = join(deps.cliDir, 'keyhold');
  const link = deps.platform === 'darwin' ? '/usr/local/bin/keyhold' : join(deps.home, '.local', 'bin', 'keyhold');
  const blocked = deps.platform === 'linux' && deps.env['APPIMAGE'] !== undefined
    ? 'An AppImage moves its files on every start, so a command cannot point into it: install the .deb package to get the keyhold command.'
    : undefined;

  const status = async (): Promise<CommandStatus> => {
    if (blocked !== undefined) return { state: 'unavailable', detail: blocked };
    const current = await linkTarget(link);
    if (current === target) return { state: 'installed', path: link, ...pathNote(deps, link) };
    if (current !== undefined) return { state: 'conflict', path: link, detail: `${link} exists and is not Keyhold's: it was left as it is.` };
    return { state: 'not_installed', path: link };
  };
  return {
    status,
    async install() {
      const now = await status();
      if (now.state !== 'not_installed') return now;
      if (deps.platform === 'darwin') {
        await deps.runAsAdmin(`/bin/mkdir -p /usr/local/bin && /bin/ln -s ${shellQuote(target)} ${shellQuote(link)}`);
      } else {
        await mkdir(join(link, '..'), { recursive: true });
        await symlink(target, link);
      }
      return status();
    },
    async remove() {
      const now = await status();
      if (now.state !== 'installed') return now;
      if (deps.platform === 'darwin') await deps.runAsAdmin(`/bin/rm -f ${shellQuote(link)}`);
      else await unlink(link);
      return status();
    },
  };
}

/** Where `path` links to; `''` for a file that is not a symlink; undefined when nothing is there. */
async function linkTarget(path: string): Promise<string | undefined> {
  try {
    const stat = await lstat(path);
    return stat.isSymbolicLink() ? await readlink(path) : '';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function pathNote(deps: CommandInstallerDeps, link: string): { detail?: string } {
  const dir = join(link, '..');
  const onPath = (deps.env['PATH'] ?? '').split(delimiter).includes(dir);
  return onPath ? {} : { detail: `${dir} is not on the PATH Keyhold was started with: add it to your shell's PATH, or use ${link} with its full path.` };
}

export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function windowsInstaller(deps: CommandInstallerDeps): CommandInstaller {
  const dir = deps.cliDir;
  const command = join(dir, 'keyhold.cmd');
  const entries = (path: string): string[] => path.split(';').filter((p) => p !== '');
  const has = (path: string): boolean => entries(path).some((p) => p.replace(/\\+$/, '').toLowerCase() === dir.toLowerCase());
  const status = async (): Promise<CommandStatus> => (has(await deps.userPath.get()) ? { state: 'installed', path: command } : { state: 'not_installed', path: command });
  return {
    status,
    async install() {
      const path = await deps.userPath.get();
      if (!has(path)) await deps.userPath.set([...entries(path), dir].join(';'));
      return status();
    },
    async remove() {
      const path = await deps.userPath.get();
      if (has(path)) await deps.userPath.set(entries(path).filter((p) => p.replace(/\\+$/, '').toLowerCase() !== dir.toLowerCase()).join(';'));
      return status();
    },
  };
}
