/**
 * TerminalPrompter (the prompter of `keyhold serve`) driven through PassThrough
 * streams: keys in, screen text out. The raw-mode switch is recorded, not real.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';

import type { FieldSpec } from '../../src/shared/bridge-protocol.js';
import { KeyholdError } from '../../src/shared/keyhold-error.js';
import type { ApprovalPrompt, EntryPrompt, ProcessInfo } from '../../src/main/core/prompter.js';
import { decodeKeys } from '../../src/main/cli/terminal-keys.js';
import { TerminalPrompter } from '../../src/main/cli/terminal-prompter.js';
import { markdownToPlainText, sanitizeLine } from '../../src/main/cli/terminal-text.js';

type FakeTty = PassThrough & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

interface Harness {
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

function harness(options: { tty?: boolean; guardMs?: number; now?: () => number } = {}): Harness {
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

function approvalPrompt(overrides: Partial<ApprovalPrompt> = {}): ApprovalPrompt {
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

const passwordField: FieldSpec = { name: 'API_KEY', label: 'API key', type: 'password', required: true };

function entryPrompt(overrides: Partial<EntryPrompt> = {}): EntryPrompt {
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
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(marker), 20))]);
  return winner === marker;
}

describe('TerminalPrompter approvals', () => {
  it('shows server, process, secret names, reason, tool, the verification code and the time left', async () => {
    const t = harness();
    const decision = t.prompter.approve(approvalPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    const screen = t.screen();
    for (const expected of ['github 1.2.0', 'pid 4242', '/usr/bin/node', 'verified', 'node github-mcp/server.js', 'GITHUB_TOKEN', 'List your repositories', 'list_repos', 'Verification code:  ABCD-EFGH', 'Time left: 5m 00s', '[a] Allow once', '[s] Allow for this session', '[d] Deny']) {
      assert.ok(screen.includes(expected), `missing ${expected}`);
    }
    assert.ok(!screen.includes('unverified'));
    t.type('d');
    assert.equal(await decision, 'deny');
  });

  it('marks a process whose identity could not be read from the OS as unverified', async () => {
    const t = harness();
    const decision = t.prompter.approve(
      approvalPrompt({ process: { claimedPid: 99, pid: 99, verified: false } }),
      new AbortController().signal,
    );
    await t.waitFor('Your answer');
    assert.match(t.screen(), /pid 99 · unverified \(as claimed by the client\)/);
    t.type('d');
    await decision;
  });

  for (const [key, expected] of [
    ['a', 'allow'],
    ['A', 'allow'],
    ['s', 'allow_session'],
    ['d', 'deny'],
    ['\x1b', 'deny'],
    ['\x03', 'deny'],
  ] as const) {
    it(`answers ${JSON.stringify(key)} with ${expected}`, async () => {
      const t = harness();
      const decision = t.prompter.approve(approvalPrompt(), new AbortController().signal);
      await t.waitFor('Your answer');
      t.type(key);
      assert.equal(await decision, expected);
      assert.deepEqual(t.rawModes, [true, false], 'raw mode only while the prompt is on screen');
    });
  }

  it('never allows on Enter, and asks again on any key that is not a choice', async () => {
    const t = harness();
    const decision = t.prompter.approve(approvalPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    t.type('\r');
    await t.waitFor('Enter does not answer');
    assert.ok(await isPending(decision), 'Enter must not answer the approval');
    t.type('\n');
    t.type('x');
    await t.waitFor('not a choice');
    t.type('y'); // "yes" is not a choice either
    assert.ok(await isPending(decision));
    t.type('s');
    assert.equal(await decision, 'allow_session');
  });

  it('drops keys typed before the prompt appeared (type-ahead guard)', async () => {
    let clock = 1_000;
    const t = harness({ guardMs: 300, now: () => clock });
    t.type('a'); // typed while nothing was asked: sits in the input buffer
    const decision = t.prompter.approve(approvalPrompt({ expiresAt: clock + 60_000 }), new AbortController().signal);
    await t.waitFor('Your answer');
    assert.ok(await isPending(decision), 'a buffered key must not answer a prompt the user has not seen');
    clock += 1_000;
    t.type('d');
    assert.equal(await decision, 'deny');
  });
});

describe('TerminalPrompter queue', () => {
  it('shows one prompt at a time, first come first served', async () => {
    const t = harness();
    const first = t.prompter.approve(approvalPrompt({ verificationCode: 'AAAA-AAAA' }), new AbortController().signal);
    const second = t.prompter.enter(entryPrompt({ verificationCode: 'BBBB-BBBB' }), new AbortController().signal);
    await t.waitFor('Your answer');
    assert.ok(t.screen().includes('AAAA-AAAA'));
    assert.ok(!t.screen().includes('BBBB-BBBB'), 'the second prompt waits its turn');
    assert.ok(t.screen().includes('1 more request is waiting'));
    const mark = t.screen().length;
    t.type('a');
    assert.equal(await first, 'allow');
    await t.waitFor('BBBB-BBBB', mark);
    await t.waitFor('API key: ', mark);
    t.type('sk-123\r');
    assert.deepEqual(await second, { action: 'save', values: { API_KEY: 'sk-123' } });
  });

  it('closes the prompt on screen when its signal aborts, restores the terminal, and moves on', async () => {
    const t = harness();
    const timeout = new AbortController();
    const cancel = new AbortController();
    const first = t.prompter.approve(approvalPrompt({ verificationCode: 'TIME-OUT2' }), timeout.signal);
    const second = t.prompter.enter(entryPrompt({ verificationCode: 'CANC-ELED' }), cancel.signal);
    const third = t.prompter.approve(approvalPrompt({ verificationCode: 'NEXT-2345' }), new AbortController().signal);
    await t.waitFor('Your answer');
    timeout.abort(new KeyholdError('timeout', 'Nobody answered.'));
    assert.equal(await first, 'deny');
    await t.waitFor('request TIME-OUT2 closed (timed out)');
    await t.waitFor('API key: ');
    t.type('half-typed');
    cancel.abort(new KeyholdError('cancelled', 'The client cancelled.'));
    assert.deepEqual(await second, { action: 'cancel' });
    await t.waitFor('request CANC-ELED closed (cancelled)');
    await t.waitFor('NEXT-2345');
    assert.ok(!t.screen().includes('half-typed'));
    t.type('a');
    assert.equal(await third, 'allow');
    assert.deepEqual(t.rawModes, [true, false, true, false, true, false]);
  });

  it('drops a queued prompt whose signal aborts before it is shown', async () => {
    const t = harness();
    const later = new AbortController();
    const first = t.prompter.approve(approvalPrompt({ verificationCode: 'AAAA-AAAA' }), new AbortController().signal);
    const second = t.prompter.approve(approvalPrompt({ verificationCode: 'GONE-GONE' }), later.signal);
    await t.waitFor('Your answer');
    later.abort(new KeyholdError('cancelled', 'The client went away.'));
    assert.equal(await second, 'deny');
    t.type('d');
    assert.equal(await first, 'deny');
    await t.waitFor('request GONE-GONE closed before it was shown (cancelled)');
    assert.ok(!t.screen().includes('Verification code:  GONE-GONE'));
  });

  it('answers queued prompts no on close()', async () => {
    const t = harness();
    const shown = new AbortController();
    const first = t.prompter.approve(approvalPrompt(), shown.signal);
    const queued = t.prompter.enter(entryPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    t.prompter.close();
    assert.deepEqual(await queued, { action: 'cancel' });
    shown.abort(new KeyholdError('cancelled', 'Keyhold is shutting down.'));
    assert.equal(await first, 'deny');
    assert.equal(t.rawModes.at(-1), false);
  });

  it('denies when the terminal input ends mid-prompt, and refuses later prompts with a reason', async () => {
    const t = harness();
    const decision = t.prompter.approve(approvalPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    t.input.end();
    assert.equal(await decision, 'deny');
    assert.deepEqual(await t.prompter.enter(entryPrompt(), new AbortController().signal), { action: 'cancel' });
    assert.match(t.screen(), /cancelled entry request WXYZ-2345 .*terminal input has closed/);
  });
});

describe('TerminalPrompter entry', () => {
  it('reads a password with echo off: the typed value never reaches the screen', async () => {
    const t = harness();
    const outcome = t.prompter.enter(entryPrompt(), new AbortController().signal);
    await t.waitFor('API key: ');
    t.type('hunter2-very-');
    t.type('secretX\x7f'); // backspace removes the X
    t.type('\r');
    assert.deepEqual(await outcome, { action: 'save', values: { API_KEY: 'hunter2-very-secret' } });
    const screen = t.screen();
    assert.ok(!screen.includes('hunter2'), 'no part of the typed password is printed');
    assert.ok(!screen.includes('*'), 'not even one star per character');
    assert.ok(screen.includes('hidden input'));
  });

  it('shows server, process, code, the Markdown guide as plain text and the rejected-value note', async () => {
    const t = harness();
    const outcome = t.prompter.enter(
      entryPrompt({
        serverVersion: '3.1.4',
        reason: 'Needed to fetch the forecast',
        guide: '## Get a key\n\n1. Open [the dashboard](https://weather.example.com/keys)\n2. Copy the key',
        rejected: { names: ['API_KEY'], reason: '401 Unauthorized' },
      }),
      new AbortController().signal,
    );
    await t.waitFor('API key: ');
    const screen = t.screen();
    for (const expected of [
      'weather 3.1.4',
      'pid 4242',
      'WXYZ-2345',
      'Needed to fetch the forecast',
      '│ ## Get a key',
      '│ 1. Open the dashboard <https://weather.example.com/keys>',
      'the previous value of API_KEY was rejected by the server: 401 Unauthorized',
    ]) {
      assert.ok(screen.includes(expected), `missing ${expected}`);
    }
    t.type('\x1b');
    assert.deepEqual(await outcome, { action: 'cancel' });
  });

  it('re-asks a field until its value is valid, without echoing the rejected value', async () => {
    const t = harness();
    const fields: FieldSpec[] = [
      { name: 'TOKEN', label: 'Token', type: 'password', required: true, pattern: 'sk-[a-z0-9]+' },
      { name: 'BASE_URL', label: 'Base URL', type: 'url', required: true },
    ];
    const outcome = t.prompter.enter(entryPrompt({ fields }), new AbortController().signal);
    await t.waitFor('Token: ');
    t.type('\r');
    await t.waitFor('✗ Token is required.');
    t.type('wrong-format\r');
    await t.waitFor('✗ Token does not have the expected format.');
    t.type('sk-abc123\r');
    await t.waitFor('Base URL: ');
    const mark = t.screen().length;
    t.type('ftp://files.example.com\r');
    await t.waitFor('✗ Base URL must be a URL', mark);
    t.type('https://api.example.com\r');
    assert.deepEqual(await outcome, { action: 'save', values: { TOKEN: 'sk-abc123', BASE_URL: 'https://api.example.com' } });
    const screen = t.screen();
    assert.ok(!screen.includes('wrong-format') && !screen.includes('sk-abc123'));
    const errorLines = screen.split('\n').filter((line) => line.includes('✗'));
    assert.equal(errorLines.length, 3);
    assert.ok(errorLines.every((line) => !line.includes('ftp://')));
  });

  it('takes the default on empty input; a password default is used but never shown', async () => {
    const t = harness();
    const fields: FieldSpec[] = [
      { name: 'REGION', label: 'Region', type: 'text', required: true, default: 'eu-west-1', placeholder: 'us-east-1', help: 'Where your account lives' },
      { name: 'API_KEY', label: 'API key', type: 'password', required: true, default: 'preset-secret-value' },
      { name: 'NOTES', label: 'Notes', type: 'text', required: false },
    ];
    const outcome = t.prompter.enter(entryPrompt({ fields }), new AbortController().signal);
    await t.waitFor('Region: ');
    assert.ok(t.screen().includes('Leave empty for the default: eu-west-1'));
    assert.ok(t.screen().includes('Example: us-east-1'));
    assert.ok(t.screen().includes('Where your account lives'));
    t.type('\r');
    await t.waitFor('API key: ');
    t.type('\r');
    await t.waitFor('Notes: ');
    t.type('\r');
    assert.deepEqual(await outcome, {
      action: 'save',
      values: { REGION: 'eu-west-1', API_KEY: 'preset-secret-value', NOTES: '' },
    });
    assert.ok(!t.screen().includes('preset-secret-value'));
    assert.ok(t.screen().includes('Leave empty to keep the preset value (not shown)'));
  });

  it('echoes visible fields, reads several lines for a textarea, ignores arrow keys', async () => {
    const t = harness();
    const fields: FieldSpec[] = [
      { name: 'ACCOUNT', label: 'Account', type: 'email', required: true },
      { name: 'CERT', label: 'Certificate', type: 'textarea', required: true },
    ];
    const outcome = t.prompter.enter(entryPrompt({ fields }), new AbortController().signal);
    await t.waitFor('Account: ');
    t.type('me@\x1b[Dexample.com\r');
    await t.waitFor('Certificate: ');
    t.type('line one\rline two\r\x04');
    assert.deepEqual(await outcome, { action: 'save', values: { ACCOUNT: 'me@example.com', CERT: 'line one\nline two' } });
    assert.ok(t.screen().includes('me@example.com'));
  });

  for (const [name, key] of [
    ['Ctrl-C', '\x03'],
    ['Esc', '\x1b'],
  ] as const) {
    it(`cancels on ${name} without exiting, even half-way through the fields`, async () => {
      const t = harness();
      const fields: FieldSpec[] = [
        { name: 'USER', label: 'User', type: 'text', required: true },
        passwordField,
      ];
      const outcome = t.prompter.enter(entryPrompt({ fields }), new AbortController().signal);
      await t.waitFor('User: ');
      t.type('alice\r');
      await t.waitFor('API key: ');
      t.type(`not-finish${key}`);
      assert.deepEqual(await outcome, { action: 'cancel' });
      assert.deepEqual(t.rawModes, [true, false]);
      assert.ok(!t.screen().includes('not-finish'));
    });
  }
});

describe('TerminalPrompter without a terminal', () => {
  it('refuses every prompt at once and says why, one line each', async () => {
    const t = harness({ tty: false });
    assert.equal(await t.prompter.approve(approvalPrompt(), new AbortController().signal), 'deny');
    assert.deepEqual(await t.prompter.enter(entryPrompt(), new AbortController().signal), { action: 'cancel' });
    const lines = t.screen().trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /denied approval request ABCD-EFGH from github for GITHUB_TOKEN: no terminal is attached/);
    assert.match(lines[1] ?? '', /cancelled entry request WXYZ-2345 from weather for API_KEY: no terminal is attached/);
    assert.ok(lines.every((line) => line.includes('start `keyhold serve` in a terminal, or use the Keyhold desktop app')));
    assert.deepEqual(t.rawModes, []);
  });
});

describe('TerminalPrompter output sanitising (terminal escape injection)', () => {
  it('strips escape sequences and control characters from everything a server or client sends', async () => {
    const t = harness();
    const fields: FieldSpec[] = [
      {
        name: 'API_KEY',
        label: 'Key\x1b[8m hidden',
        type: 'password',
        required: true,
        help: 'help\x1b]8;;https://evil.example\x07link\x1b]8;;\x07',
        placeholder: 'sk-\x07\x08\x08\x08',
      },
    ];
    const outcome = t.prompter.enter(
      entryPrompt({
        fields,
        serverVersion: '1.0\x1b[5m',
        reason: 'Repaint\x1b[2J\x1b[H\x1b]0;owned title\x07 me\nVerification code:  ZZZZ-ZZZZ',
        tool: 'tool\u009b31m\u202e',
        guide: '# Setup\x1b[31m red\x1b[0m\r\n\u009d0;title\u009c\x1bPdcs\x1b\\done\n\u202egnp.exe',
        process: { claimedPid: 7, pid: 7, executable: '/tmp/\x1b[32mnode', commandLine: 'node\x1b[1A\x1b[2K fake', verified: true },
      }),
      new AbortController().signal,
    );
    await t.waitFor('hidden: ');
    const screen = t.screen();
    // eslint-disable-next-line no-control-regex
    const forbidden = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
    assert.ok(!forbidden.test(screen), `control characters reached the terminal: ${JSON.stringify(screen.match(forbidden))}`);
    assert.ok(screen.includes('Repaint me Verification code: ZZZZ-ZZZZ'), 'the reason stays on its own line');
    assert.ok(!/^\s*Verification code:\s+ZZZZ/m.test(screen), 'a server cannot forge a line of its own');
    assert.ok(!screen.includes('owned title'));
    assert.ok(screen.includes('│ # Setup red'));
    assert.ok(screen.includes('│ done'));
    t.type('\x03');
    await outcome;
  });

  it('sanitizeLine and markdownToPlainText keep ordinary text intact', () => {
    assert.equal(sanitizeLine('  Fetch  the\tforecast\nfor Paris  '), 'Fetch the forecast for Paris');
    assert.equal(sanitizeLine('x'.repeat(20), 10), `${'x'.repeat(9)}…`);
    assert.equal(markdownToPlainText('See [docs](https://a.example/x) or <https://b.example>.'), 'See docs <https://a.example/x> or <https://b.example>.');
  });
});

describe('decodeKeys', () => {
  it('splits raw input into keys and drops terminal escape sequences', () => {
    assert.deepEqual(decodeKeys('a\x1b[A\x1b[1;5Cb\x1bOPc\r\n\x7f\x15\x03\x04\x1b'), [
      { kind: 'char', char: 'a' },
      { kind: 'char', char: 'b' },
      { kind: 'char', char: 'c' },
      { kind: 'enter' },
      { kind: 'backspace' },
      { kind: 'clear-line' },
      { kind: 'ctrl-c' },
      { kind: 'end-of-text' },
      { kind: 'escape' },
    ]);
    assert.deepEqual(decodeKeys('é🔑\t\u202e'), [
      { kind: 'char', char: 'é' },
      { kind: 'char', char: '🔑' },
    ]);
  });
});
