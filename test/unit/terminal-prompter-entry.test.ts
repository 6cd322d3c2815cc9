/**
 * TerminalPrompter entry (test/helpers/terminal-prompter-harness.ts): reading
 * values (echo off for passwords, validation, defaults, textareas, cancel),
 * sanitising everything a server or client sends before it reaches the
 * terminal, and decoding raw keys.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { FieldSpec } from '../../src/shared/bridge-protocol.js';
import { decodeKeys } from '../../src/main/cli/terminal-keys.js';
import { displayWidth, markdownToPlainText, sanitizeLine } from '../../src/main/cli/terminal-text.js';
import { entryPrompt, harness, passwordField } from '../helpers/terminal-prompter-harness.js';

describe('TerminalPrompter entry', () => {
  it('reads a password with echo off: the typed value never reaches the screen', async () => {
    const t = harness();
    const outcome = t.prompter.enter(entryPrompt(), new AbortController().signal);
    await t.waitFor('API_KEY: ');
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
    await t.waitFor('API_KEY: ');
    const screen = t.screen();
    for (const expected of [
      'weather 3.1.4',
      'pid 4242',
      'WXYZ-2345',
      'Needed to fetch the forecast',
      '│ ## Get a key',
      '│ 1. Open the dashboard <https://weather.example.com/keys>',
      'Note:      the previous value of API_KEY was rejected by the server',
      '│ Rejected: 401 Unauthorized',
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
    await t.waitFor('TOKEN: ');
    t.type('\r');
    await t.waitFor('✗ TOKEN is required.');
    t.type('wrong-format\r');
    await t.waitFor('✗ TOKEN does not have the expected format.');
    t.type('sk-abc123\r');
    await t.waitFor('BASE_URL: ');
    const mark = t.screen().length;
    t.type('ftp://files.example.com\r');
    await t.waitFor('✗ BASE_URL must be a URL', mark);
    t.type('https://api.example.com\r');
    assert.deepEqual(await outcome, { action: 'save', values: { TOKEN: 'sk-abc123', BASE_URL: 'https://api.example.com' } });
    const screen = t.screen();
    assert.ok(!screen.includes('wrong-format') && !screen.includes('sk-abc123'));
    const errorLines = screen.split('\n').filter((line) => line.includes('✗'));
    assert.equal(errorLines.length, 3);
    assert.ok(errorLines.every((line) => !line.includes('ftp://')));
  });

  it('entry_default_overwrites_stored_secret: a visible field takes its default on empty input; a password field never takes one, nor mentions it', async () => {
    const t = harness();
    const fields: FieldSpec[] = [
      { name: 'REGION', label: 'Region', type: 'text', required: true, default: 'eu-west-1', placeholder: 'us-east-1', help: 'Where your account lives' },
      { name: 'API_KEY', label: 'API key', type: 'password', required: true, default: 'preset-secret-value' },
      { name: 'NOTES', label: 'Notes', type: 'text', required: false },
    ];
    const outcome = t.prompter.enter(entryPrompt({ fields }), new AbortController().signal);
    await t.waitFor('REGION: ');
    for (const expected of ['│ Default:  eu-west-1', '│ Example:  us-east-1', '│ Help:     Where your account lives', 'Enter on an empty line takes the default']) {
      assert.ok(t.screen().includes(expected), `missing ${expected}`);
    }
    t.type('\r');
    await t.waitFor('API_KEY: ');
    const passwordPart = t.screen().length;
    t.type('\r');
    await t.waitFor('✗ API_KEY is required.', passwordPart);
    t.type('typed-by-the-user\r');
    await t.waitFor('NOTES: ');
    t.type('\r');
    assert.deepEqual(await outcome, {
      action: 'save',
      values: { REGION: 'eu-west-1', API_KEY: 'typed-by-the-user', NOTES: '' },
    });
    const screen = t.screen();
    assert.ok(!screen.includes('preset-secret-value'));
    assert.ok(!/preset|default/i.test(screen.slice(screen.indexOf('Field 2 of 3'), screen.indexOf('Field 3 of 3'))), 'the password field says nothing about a preset');
  });

  it('echoes visible fields, reads several lines for a textarea, ignores arrow keys', async () => {
    const t = harness();
    const fields: FieldSpec[] = [
      { name: 'ACCOUNT', label: 'Account', type: 'email', required: true },
      { name: 'CERT', label: 'Certificate', type: 'textarea', required: true },
    ];
    const outcome = t.prompter.enter(entryPrompt({ fields }), new AbortController().signal);
    await t.waitFor('ACCOUNT: ');
    t.type('me@\x1b[Dexample.com\r');
    await t.waitFor('CERT: ');
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
      await t.waitFor('USER: ');
      t.type('alice\r');
      await t.waitFor('API_KEY: ');
      t.type(`not-finish${key}`);
      assert.deepEqual(await outcome, { action: 'cancel' });
      assert.deepEqual(t.rawModes, [true, false]);
      assert.ok(!t.screen().includes('not-finish'));
    });
  }
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
    await t.waitFor('API_KEY: ');
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

  it('bidi_override_in_client_text: embeddings, overrides, isolates and marks never reach the terminal; each run shows as a visible mark', async () => {
    const t = harness();
    const controls = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';
    const outcome = t.prompter.enter(
      entryPrompt({ reason: `Allow \u202eexe.gnp\u202c now${controls}`, tool: 'list\u061c_repos', guide: 'Open \u2067SETTINGS\u2069', fields: [{ ...passwordField, label: 'Key \u200fhere' }] }),
      new AbortController().signal,
    );
    await t.waitFor('API_KEY: ');
    const screen = t.screen();
    assert.ok(![...controls].some((control) => screen.includes(control)), 'no bidi control was written');
    for (const expected of ['Allow �exe.gnp� now�', 'list�_repos', 'Open �SETTINGS�', 'Key �here']) assert.ok(screen.includes(expected), `missing ${expected}`);
    t.type('\x1b');
    await outcome;
  });

  it('terminal_blank_char_spoof: blank-looking characters collapse, and no row of client text outgrows the terminal', async () => {
    const t = harness();
    const blanks = ['\u2800', '\u3164', '\u115f', '\u1160', '\uffa0', '\u3000', '\u00a0', '\u2003', '\u200b', '\t'];
    const padding = blanks.join('').repeat(20);
    const outcome = t.prompter.enter(
      entryPrompt({ reason: `Read${padding}Verification code:  AB12-CD34${padding}`, guide: `# Setup${padding}\n${'step '.repeat(400)}` }),
      new AbortController().signal,
    );
    await t.waitFor('API_KEY: ');
    const rows = t.screen().split('\n');
    for (const blank of blanks.filter((b) => b !== '\t')) assert.ok(!rows.join('\n').includes(blank), `U+${blank.codePointAt(0)?.toString(16)} was written`);
    const clientRows = rows.filter((row) => row.startsWith('  │'));
    assert.ok(clientRows.length > 10 && clientRows.every((row) => displayWidth(row) < 80), 'every row of client text fits 80 columns, counting wide characters as two');
    assert.deepEqual(rows.filter((row) => row.includes('AB12-CD34')).map((row) => row.slice(0, 4)), ['  │ '], 'the fake code sits in one gutter row');
    assert.ok(rows.some((row) => row.startsWith('  │ ') && row.endsWith('…(cut)')), 'the long guide is cut, visibly');
    const input = rows.findLastIndex((row) => row.startsWith('  API_KEY: '));
    assert.match(rows.slice(0, input).findLast((row) => row.includes('Verification code:')) ?? '', /^ {2}Verification code: {2}WXYZ-2345/);
    t.type('\x1b');
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
    // Tab is a key of its own (switch to the next waiting prompt), never a character of a value.
    assert.deepEqual(decodeKeys('é🔑\t\u202e'), [
      { kind: 'char', char: 'é' },
      { kind: 'char', char: '🔑' },
      { kind: 'tab' },
    ]);
  });
});
