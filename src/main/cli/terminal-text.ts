/**
 * Making untrusted text safe to print on a terminal.
 *
 * Everything an MCP server sends (reason, tool, guide, field labels, help,
 * placeholders, its version string) and everything a client process controls
 * (its executable path, its command line) passes through here before it
 * reaches the terminal. A terminal interprets escape sequences: without this,
 * a server could clear the screen, move the cursor and paint a fake
 * verification code, or retitle the window (OSC). We drop every control
 * character rather than try to allow a "safe" subset: a few lost tabs are a
 * fair price. Blank-looking and invisible characters (braille blank, Hangul
 * fillers, zero-width and bidi controls) are neutralised as in the window
 * (src/shared/client-text.ts): blanks become spaces, invisibles a visible `�`.
 *
 * Then the prompter lays the text out itself (`wrapRows`): every row of
 * client text is at most the terminal's width, so the terminal never wraps it
 * into a row that starts where Keyhold's own rows start, and each text is cut
 * to a few rows with a visible "…(cut)".
 */
import { neutralizeClientText } from '../../shared/client-text.js';

/** ESC-introduced sequences: CSI (`ESC [ … final`), OSC/DCS/SOS/PM/APC strings (up to BEL or ST), and two-byte escapes. */
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~]?)/g;
/** C1 string controls written as single 8-bit code points (U+0090 DCS, U+009D OSC, …) with their body. */
// eslint-disable-next-line no-control-regex
const C1_STRING = /[\u0090\u0098\u009d\u009e\u009f][^\x07\u009c\x1b]*(?:\x07|\u009c)?/g;
/** C1 CSI (U+009B) with its parameters. */
const C1_CSI = /\u009b[0-?]*[ -/]*[@-~]?/g;
/** C0 controls (tab and newline are handled by the callers), DEL and C1 controls. */
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Strips escape sequences and control characters, turns tabs into spaces and
 * the Unicode line/paragraph separators into `\n`, neutralises blank-looking
 * and invisible characters; keeps `\n`.
 */
export function sanitizeMultiline(text: string): string {
  const plain = text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(ESCAPE_SEQUENCE, '')
    .replace(C1_STRING, '')
    .replace(C1_CSI, '')
    .replace(/\t/g, '  ')
    .replace(OTHER_CONTROLS, '');
  return neutralizeClientText(plain);
}

/**
 * One line of untrusted text: control characters removed, line breaks and
 * runs of whitespace collapsed to one space, cut to `maxChars` with an ellipsis.
 * Collapsing lines matters: a reason must not be able to start a new line
 * that looks like one of Keyhold's own (say, a fake "Verification code:").
 */
export function sanitizeLine(text: string, maxChars = 500): string {
  const flat = sanitizeMultiline(text).replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : flat;
}

/**
 * Markdown shown as plain text: sanitised, links shown as `text <url>` (so the
 * target is visible, not just the words a server chose), images as
 * `[image not shown: alt]` (guides show no images, here or in the window),
 * blank-line runs collapsed. The rest of Markdown reads well enough as it is.
 */
export function markdownToPlainText(markdown: string): string {
  return sanitizeMultiline(markdown)
    .replace(/(!?)\[([^\]\n]*)\]\(([^)\s]+)(?:\s+"[^"\n]*")?\)/g, (_all, bang: string, label: string, url: string) => {
      if (bang === '!') return `[image not shown${label.trim() === '' ? '' : `: ${label.trim()}`}]`;
      return label.trim() === '' || label.trim() === url ? `<${url}>` : `${label} <${url}>`;
    })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** What ends a client text that was cut to its rows. */
export const CUT_MARK = '…(cut)';

/**
 * Columns a character may take: 1 for printable ASCII, 2 for anything else.
 * Overcounting is the safe side: a row we think full is at worst shorter
 * than the terminal's, never longer (wide CJK and emoji take 2, combining
 * marks 0).
 */
function columns(ch: string): number {
  return ch.length === 1 && ch >= ' ' && ch <= '~' ? 1 : 2;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += columns(ch);
  return width;
}

/**
 * Sanitised text (lines separated by `\n`) laid out in rows of at most
 * `width` columns — broken at a space in the second half of the row, else
 * anywhere — and at most `maxRows` of them; when text is left over, the last
 * row ends in "…(cut)".
 */
export function wrapRows(text: string, width: number, maxRows: number): string[] {
  const rows: string[] = [];
  for (const line of text.split('\n')) {
    let rest = Array.from(line);
    do {
      const [row, next] = takeRow(rest, width);
      rows.push(row);
      rest = next;
      if (rows.length > maxRows) return withCutMark(rows.slice(0, maxRows), width);
    } while (rest.length > 0);
  }
  return rows;
}

/** The first row of `chars` (at most `width` columns, at least one character) and what is left, without its leading spaces. */
function takeRow(chars: readonly string[], width: number): [string, string[]] {
  let used = 0;
  let end = 0;
  for (const ch of chars) {
    if (used + columns(ch) > width) break;
    used += columns(ch);
    end++;
  }
  if (end === chars.length) return [chars.join('').trimEnd(), []];
  const space = chars.lastIndexOf(' ', end);
  const breakAt = space > end / 2 ? space : Math.max(end, 1);
  let next = breakAt;
  while (chars[next] === ' ') next++;
  return [chars.slice(0, breakAt).join('').trimEnd(), chars.slice(next)];
}

function withCutMark(rows: string[], width: number): string[] {
  const last = Array.from(rows.at(-1) ?? '');
  while (last.length > 0 && displayWidth(`${last.join('')} ${CUT_MARK}`) > width) last.pop();
  rows[rows.length - 1] = `${last.join('').trimEnd()} ${CUT_MARK}`.trimStart();
  return rows;
}

/** One row of at most `width` columns: the text, or its start and "…(cut)". */
export function fitRow(text: string, width: number): string {
  return wrapRows(text.replace(/\n/g, ' '), width, 1)[0] ?? '';
}

/** `299000` → `4m 59s`; never negative. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes >= 60) return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
  return minutes > 0 ? `${minutes}m ${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}
