/**
 * Reading one secret value for `keyhold set`: from the terminal with echo off
 * (raw mode: nothing typed is shown, not even stars), or, when stdin is not a
 * terminal, everything piped in (one trailing newline dropped).
 */
import { MAX_SECRET_VALUE_CHARS } from '../../shared/bridge-protocol.js';
import { KeyReader, type TerminalInput } from './terminal-keys.js';

/** The typed line, or undefined when the user cancelled (Esc, Ctrl-C, Ctrl-D on an empty line, input closed). */
export async function readHiddenLine(input: TerminalInput, output: NodeJS.WritableStream, prompt: string): Promise<string | undefined> {
  const keys = new KeyReader(input, { guardMs: 0 });
  const never = new AbortController().signal;
  output.write(prompt);
  keys.start();
  const chars: string[] = [];
  try {
    for (;;) {
      const key = await keys.next(never);
      switch (key.kind) {
        case 'char':
          chars.push(key.char);
          break;
        case 'backspace':
          chars.pop();
          break;
        case 'clear-line':
          chars.length = 0;
          break;
        case 'enter':
          return chars.join('');
        case 'end-of-text':
          if (chars.length === 0) return undefined;
          break;
        case 'escape':
        case 'ctrl-c':
        case 'closed':
          return undefined;
      }
    }
  } finally {
    keys.stop();
    output.write('\n');
  }
}

/** All of stdin as UTF-8, at most `maxChars` characters (more is an error); one trailing `\n` or `\r\n` is dropped. */
export async function readPipedValue(input: NodeJS.ReadableStream, maxChars = MAX_SECRET_VALUE_CHARS): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    bytes += buffer.length;
    // UTF-8 takes at most 4 bytes a character: past that, the value is too long whatever it holds.
    if (bytes > maxChars * 4 + 2) throw new Error(`the value on stdin is longer than ${maxChars} characters`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text.length > maxChars) throw new Error(`the value on stdin is longer than ${maxChars} characters`);
  return text;
}
