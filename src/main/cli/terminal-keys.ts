/**
 * Reading keys from a terminal in raw mode.
 *
 * While a prompt is on screen the terminal is in raw mode: nothing the user
 * types is echoed by the terminal itself (so a password field can stay
 * silent), Ctrl-C arrives as a key instead of killing the process, and a
 * single key can answer an approval. Between prompts the terminal is back in
 * its normal mode and the input is paused, so Ctrl-C stops `keyhold serve`.
 *
 * Type-ahead guard: keys that arrive within `guardMs` of a prompt appearing
 * are dropped. Whatever the user typed while nothing was asked (still sitting
 * in the terminal's buffer) must not answer a question they have not seen —
 * an "a" typed a minute ago must never allow a request that just came in.
 */
import { StringDecoder } from 'node:string_decoder';

/** The input side of a terminal (process.stdin, or a PassThrough in tests). */
export type TerminalInput = NodeJS.ReadableStream & {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
};

export type Key =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'enter' }
  | { readonly kind: 'backspace' }
  /** Ctrl-U: clear what was typed on this line. */
  | { readonly kind: 'clear-line' }
  | { readonly kind: 'escape' }
  | { readonly kind: 'ctrl-c' }
  /** Ctrl-D. */
  | { readonly kind: 'end-of-text' }
  /** Shows the next waiting prompt (terminal-prompt-queue.ts); never part of a typed value. */
  | { readonly kind: 'tab' }
  /** The input stream ended or failed; no more keys will come. */
  | { readonly kind: 'closed' };

const ESC = '\x1b';

/**
 * Splits raw terminal input into keys. Escape sequences the terminal sends for
 * arrows, function keys and the like are dropped whole; a lone ESC is the Esc
 * key; ESC followed by a printable character (Alt+key) is dropped.
 */
export function decodeKeys(chunk: string): Key[] {
  const keys: Key[] = [];
  const chars = Array.from(chunk);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === ESC) {
      const next = chars[i + 1];
      if (next === undefined || next === ESC) {
        keys.push({ kind: 'escape' });
      } else if (next === '[') {
        // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E.
        let j = i + 2;
        while (j < chars.length && /[\x20-\x3f]/.test(chars[j] ?? '')) j++;
        i = j < chars.length ? j : chars.length - 1;
      } else if (next === 'O') {
        i += 2; // SS3 + one character (F1–F4, keypad)
      } else {
        i += 1; // Alt+key
      }
      continue;
    }
    switch (c) {
      case '\r':
        keys.push({ kind: 'enter' });
        if (chars[i + 1] === '\n') i++;
        break;
      case '\n':
        keys.push({ kind: 'enter' });
        break;
      case '\x7f':
      case '\b':
        keys.push({ kind: 'backspace' });
        break;
      case '\x15':
        keys.push({ kind: 'clear-line' });
        break;
      case '\x03':
        keys.push({ kind: 'ctrl-c' });
        break;
      case '\x04':
        keys.push({ kind: 'end-of-text' });
        break;
      case '\t':
        keys.push({ kind: 'tab' });
        break;
      default:
        if (isPrintable(c)) keys.push({ kind: 'char', char: c });
    }
  }
  return keys;
}

function isPrintable(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
  // bidi controls and zero-width characters: invisible, so never part of what the user meant to type.
  return !/[\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/.test(c);
}

export class PromptAbortedError extends Error {
  override readonly name = 'PromptAbortedError';
}

export interface KeyReaderOptions {
  /** Keys arriving this many milliseconds after `start()` are dropped (type-ahead guard). */
  readonly guardMs: number;
  readonly now?: () => number;
}

/** Raw-mode key input for one prompt at a time: `start()`, `next()` as often as needed, `stop()`. */
export class KeyReader {
  private readonly input: TerminalInput;
  private readonly guardMs: number;
  private readonly now: () => number;
  private decoder = new StringDecoder('utf8');
  private buffered: Key[] = [];
  private waiter: ((key: Key) => void) | null = null;
  private startedAt = 0;
  private reading = false;
  private closed = false;

  constructor(input: TerminalInput, options: KeyReaderOptions) {
    this.input = input;
    this.guardMs = options.guardMs;
    this.now = options.now ?? Date.now;
    input.once('end', this.onClose);
    input.once('close', this.onClose);
    input.on('error', this.onClose);
  }

  /** True once the input stream has ended: no prompt can be answered any more. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Puts the terminal in raw mode and starts listening. */
  start(): void {
    if (this.reading) return;
    this.reading = true;
    this.decoder = new StringDecoder('utf8');
    this.buffered = [];
    this.startedAt = this.now();
    setRawMode(this.input, true);
    this.input.on('data', this.onData);
    this.input.resume();
  }

  /** Stops listening, drops unread keys, and gives the terminal back its normal mode. */
  stop(): void {
    if (!this.reading) return;
    this.reading = false;
    this.input.off('data', this.onData);
    this.input.pause();
    setRawMode(this.input, false);
    this.buffered = [];
  }

  /** The next key; rejects with PromptAbortedError when `signal` aborts first. */
  next(signal: AbortSignal): Promise<Key> {
    if (signal.aborted) return Promise.reject(new PromptAbortedError('aborted'));
    const key = this.buffered.shift();
    if (key !== undefined) return Promise.resolve(key);
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise<Key>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiter = null;
        reject(new PromptAbortedError('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = (k) => {
        signal.removeEventListener('abort', onAbort);
        this.waiter = null;
        resolve(k);
      };
    });
  }

  private deliver(key: Key): void {
    if (this.waiter !== null) this.waiter(key);
    else this.buffered.push(key);
  }

  private readonly onData = (chunk: string | Buffer): void => {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (this.now() - this.startedAt < this.guardMs) return;
    for (const key of decodeKeys(text)) this.deliver(key);
  };

  private readonly onClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    if (this.reading) this.deliver({ kind: 'closed' });
  };
}

function setRawMode(input: TerminalInput, on: boolean): void {
  try {
    input.setRawMode?.(on);
  } catch {
    // The terminal went away (EBADF/EIO): nothing left to restore.
  }
}
