/**
 * TerminalPrompter (the prompter of `keyhold serve`) driven through PassThrough
 * streams: keys in, screen text out. The raw-mode switch is recorded, not
 * real. Also sample approval and entry prompts to show.
 */
import { PassThrough } from 'node:stream';

import type { FieldSpec } from '../../src/shared/bridge-protocol.js';
import type { ApprovalPrompt, EntryPrompt, ProcessInfo } from '../../src/main/core/prompter.js';
import { TerminalPrompter } from '../../src/main/cli/terminal-prompter.js';

type FakeTty = PassThrough & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

export interface Harness {
  readonly input: FakeTty;
  readonly prompter: TerminalPrompter;
  /** Every setRawMode call, in order. */
  readonly rawModes: boolean[];
  /** All text written so far. */
  screen(): string;
  /** Resolves once the screen (after `from` characters) contains `text`. */
  waitFor(text: string, from?: number): Promise<void>;
  type(keys: string): void;
}

export function harness(options: { tty?: boolean; guardMs?: number; now?: () => number } = {}): Harness {
  const input: FakeTty = new PassThrough();
  const rawModes: boolean[] = [];
  if (options.tty ?? true) {
    input.isTTY = true;
    input.setRawMode = (mode: boolean) => {
      rawModes.push(mode);
      return input;
    };
  }
  const output = new PassThrough();
  let screen = '';
  const watchers: Array<() => void> = [];
  output.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    for (const watcher of watchers.splice(0)) watcher();
  });
  const prompter = new TerminalPrompter({
    input,
    output,
    inputGuardMs: options.guardMs ?? 0,
    color: false,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    input,
    prompter,
    rawModes,
    screen: () => screen,
    type: (keys) => input.write(keys),
    waitFor: (text, from = 0) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`screen never showed ${JSON.stringify(text)}; it shows:\n${screen}`)), 2000);
        const check = (): void => {
          if (screen.indexOf(text, from) >= 0) {
            clearTimeout(timer);
            resolve();
          } else watchers.push(check);
        };
        check();
      }),
  };
}

const verifiedProcess: ProcessInfo = {
  claimedPid: 4242,
  pid: 4242,
  executable: '/usr/bin/node',
  commandLine: 'node github-mcp/server.js',
  verified: true,
};

export function approvalPrompt(overrides: Partial<ApprovalPrompt> = {}): ApprovalPrompt {
  return {
    kind: 'approval',
    id: 'prompt-1',
    server: 'github',
    serverVersion: '1.2.0',
    process: verifiedProcess,
    names: ['GITHUB_TOKEN'],
    reason: 'List your repositories',
    tool: 'list_repos',
    verificationCode: 'ABCD-EFGH',
    expiresAt: Date.now() + 300_000,
    ...overrides,
  };
}

export const passwordField: FieldSpec = { name: 'API_KEY', label: 'API key', type: 'password', required: true };

export function entryPrompt(overrides: Partial<EntryPrompt> = {}): EntryPrompt {
  return {
    kind: 'entry',
    id: 'prompt-2',
    server: 'weather',
    process: verifiedProcess,
    fields: [passwordField],
    verificationCode: 'WXYZ-2345',
    expiresAt: Date.now() + 300_000,
    ...overrides,
  };
}

/** True when the promise has not settled after the pending I/O callbacks have run. */
export async function isPending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(marker), 20))]);
  return winner === marker;
}
