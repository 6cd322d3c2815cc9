/**
 * Assertions shared by the MCP end-to-end suites (SDK 1.x and 2.x clients
 * against the example server, the real core and the real keychain).
 */
import assert from 'node:assert/strict';

import type { Prompt } from '../../src/main/core/prompter.js';

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

