/**
 * `keyhold serve` in a tmux pane (a real pty) with its own KEYHOLD_HOME: a
 * test reads the screen and types answers as a person would, waiting out the
 * type-ahead guard before each key.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { DEFAULT_INPUT_GUARD_MS } from '../../src/main/cli/terminal-prompter.js';
import { DISCOVERY_FILE_NAME, discoveryFileSchema, type DiscoveryFile } from '../../src/shared/bridge-protocol.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const tmuxMissing = spawnSync('tmux', ['-V']).status !== 0;
/** Long enough for the type-ahead guard: keys sent sooner after a prompt appears are dropped by design. */
export const AFTER_PROMPT_MS = DEFAULT_INPUT_GUARD_MS + 200;

export class TmuxServe {
  private readonly socket = `keyhold-serve-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly pane = 'serve';

  private constructor(
    private readonly home: string,
    readonly discovery: DiscoveryFile,
  ) {}

  static async start(home: string): Promise<TmuxServe> {
    const started = new TmuxServe(home, undefined as never);
    const command = `'${process.execPath}' bin/keyhold.mjs serve; echo "[keyhold exited with $?]"; sleep 600`;
    started.tmux('new-session', '-d', '-s', started.pane, '-x', '160', '-y', '50', '-c', repoRoot, '-e', `KEYHOLD_HOME=${home}`, command);
    const file = join(home, DISCOVERY_FILE_NAME);
    const deadline = Date.now() + 30_000;
    while (!existsSync(file)) {
      if (Date.now() > deadline) throw new Error(`keyhold serve did not write bridge.json; the terminal shows:\n${started.screen()}`);
      await sleep(100);
    }
    await sleep(100);
    return Object.assign(started, { discovery: discoveryFileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) });
  }

  tmux(...args: string[]): string {
    const env: NodeJS.ProcessEnv = { ...process.env, KEYHOLD_HOME: this.home };
    delete env['TMUX'];
    const result = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** The whole pane, scrollback included. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', this.pane);
  }

  /**
   * The rows as the terminal drew them (wrapped rows stay apart, unlike
   * `screen()`): the visible screen, or with `scrollback` everything.
   */
  rows(scrollback = false): string[] {
    return this.tmux('capture-pane', '-p', ...(scrollback ? ['-S', '-'] : []), '-t', this.pane).split('\n');
  }

  /** The visible row (an index into `rows()`) the cursor is on: where the prompt waits for input. */
  cursorRow(): number {
    return Number(this.tmux('display-message', '-p', '-t', this.pane, '#{cursor_y}').trim());
  }

  async waitForScreen(text: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const shown = this.screen();
      if (shown.includes(text)) return shown;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${JSON.stringify(text)}; it shows:\n${shown}`);
      await sleep(100);
    }
  }

  /** Types literal text (`literal`) or a key name (`Enter`, `C-c`). */
  keys(keys: string, literal = false): void {
    this.tmux('send-keys', '-t', this.pane, ...(literal ? ['-l'] : []), keys);
  }

  /** Ends the pane's server and removes its socket file. */
  stop(): void {
    const socketPath = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    if (socketPath !== '') rmSync(socketPath, { force: true });
  }
}
