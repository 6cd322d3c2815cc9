/**
 * The two OS calls the command installer needs, for the real app: the macOS
 * administrator prompt (osascript) and the Windows user PATH (PowerShell's
 * [Environment] API, which also tells running programs that it changed).
 * Paths travel as data (AppleScript `quoted form of`, environment variables
 * for PowerShell), never spliced into a script unquoted.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { createCommandInstaller, type CommandInstaller } from './command-installer.js';

const run = promisify(execFile);

/** An AppleScript string literal. */
export function appleScriptString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export async function runAsAdminMac(shellCommand: string): Promise<void> {
  const script = `do shell script ${appleScriptString(shellCommand)} with administrator privileges`;
  await run('/usr/bin/osascript', ['-e', script]);
}

const POWERSHELL = ['-NoProfile', '-NonInteractive', '-Command'];

export const windowsUserPath = {
  async get(): Promise<string> {
    const { stdout } = await run('powershell.exe', [...POWERSHELL, "[Environment]::GetEnvironmentVariable('Path', 'User')"]);
    return stdout.replace(/\r?\n$/, '');
  },
  async set(value: string): Promise<void> {
    await run('powershell.exe', [...POWERSHELL, "[Environment]::SetEnvironmentVariable('Path', $env:KEYHOLD_NEW_PATH, 'User')"], {
      env: { ...process.env, KEYHOLD_NEW_PATH: value },
    });
  },
};

/** The installer of the packaged app: its launcher sits in `<resources>/cli` (electron-builder extraResources). */
export function packagedCommandInstaller(resourcesPath: string, home: string): CommandInstaller {
  return createCommandInstaller({
    platform: process.platform,
    home,
    cliDir: join(resourcesPath, 'cli'),
    env: process.env,
    runAsAdmin: runAsAdminMac,
    userPath: windowsUserPath,
  });
}
