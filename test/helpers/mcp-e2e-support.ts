/**
 * What the MCP end-to-end suites share (SDK 1.x and 2.x clients, fastmcp,
 * against the example server, the real core and the real keychain): the world
 * they run in and their assertions.
 */
import assert from 'node:assert/strict';

import { startFakeGithub, type FakeGithub } from '../../examples/github-issues-server/fake-github.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import type { Prompt } from '../../src/main/core/prompter.js';
import { ScriptedPrompter } from './scripted-prompter.js';
import { makeTempDir } from './temp-dir.js';

export const CODE = /[A-Z2-9]{4}-[A-Z2-9]{4}/;

interface ToolResult {
  readonly content: ReadonlyArray<{ readonly type: string; readonly text?: string }>;
  readonly isError?: boolean | undefined;
  readonly _meta?: Record<string, unknown> | undefined;
}

/** The code in the client's notice is the window's code: one notice per window, in order. */
export function assertCodesMatch(prompts: readonly Prompt[], notices: readonly string[]): void {
  assert.ok(prompts.length > 0, 'a window opened');
  assert.deepEqual(
    notices.map((notice) => CODE.exec(notice)?.[0]),
    prompts.map((prompt) => prompt.verificationCode),
    `notices: ${JSON.stringify(notices)}`,
  );
}

export function textOf(result: ToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? (c.text ?? '') : '')).join('');
}

export function assertSuccess(result: ToolResult): void {
  assert.equal(result.isError, undefined, textOf(result));
  assert.match(textOf(result), /#1 \[open\] Crash when the config file is empty/);
}

export function assertToolError(result: ToolResult, code: string, pattern: RegExp): void {
  assert.equal(result.isError, true);
  assert.equal(result._meta?.['keyhold/error'], code, textOf(result));
  assert.match(textOf(result), pattern);
}

export async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}


/** What every MCP end-to-end suite runs against: the real core (ScriptedPrompter as the user) and the fake GitHub API. */
export interface McpWorld {
  readonly core: KeyholdCore;
  readonly prompter: ScriptedPrompter;
  readonly github: FakeGithub;
  /** The environment of a server child: this process's, plus where Keyhold and the fake API are, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Stops the core and the fake API, removes the data dir and the suite's keychain entry. */
  stop(): Promise<void>;
}

export async function startMcpWorld(options: { readonly label: string; readonly server: string; readonly secret: string; readonly token: string }): Promise<McpWorld> {
  const dir = await makeTempDir(`keyhold-${options.label}-`);
  const prompter = new ScriptedPrompter();
  const core = await startCore({ dataDir: dir.path, prompter, appVersion: options.label, writeDiscoveryFile: false });
  const github = await startFakeGithub({ token: options.token });
  return {
    core,
    prompter,
    github,
    env: (extra = {}) => {
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
      return { ...env, KEYHOLD_BRIDGE_URL: core.url, KEYHOLD_BRIDGE_TOKEN: core.token, GITHUB_API_URL: github.url, ...extra };
    },
    stop: async () => {
      await github.close().catch(() => undefined);
      await core.stop().catch(() => undefined);
      await createSystemKeychain().delete(keychainService(options.server), options.secret).catch(() => undefined);
      await dir.cleanup();
    },
  };
}
