/**
 * Making untrusted text safe to print on a terminal.
 *
 * Everything an MCP server sends (reason, tool, guide, field labels, help,
 * placeholders, its version string) and everything a client process controls
 * (its executable path, its command line) passes through here before it
 * reaches the terminal. A terminal interprets escape sequences: without this,
 * a server could clear the screen, move the cursor and paint a fake
 * verification code, retitle the window (OSC), or hide text with bidi
 * overrides. We drop every control character rather than try to allow a
 * "safe" subset: a few lost tabs are a fair price.
 */

/** ESC-introduced sequences: CSI (`ESC [ … final`), OSC/DCS/SOS/PM/APC strings (up to BEL or ST), and two-byte escapes. */
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~]?)/g;
/** C1 string controls written as single 8-bit code points (U+0090 DCS, U+009D OSC, …) with their body. */
// eslint-disable-next-line no-control-regex
const C1_STRING = /[\u0090\u0098\u009d\u009e\u009f][^\x07\u009c\x1b]*(?:\x07|\u009c)?/g;
/** C1 CSI (U+009B) with its parameters. */
const C1_CSI = /\u009b[0-?]*[ -/]*[@-~]?/g;
/**
 * Anything else that is not plain printable text: C0 controls (tab and
 * newline are handled by the callers), DEL, C1 controls, bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), the line/paragraph
 * separators, zero-width joiners/marks that could hide characters, and the BOM.
 */
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Strips escape sequences and control characters; keeps `\n` (and turns tabs into spaces). */
export function sanitizeMultiline(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(ESCAPE_SEQUENCE, '')
    .replace(C1_STRING, '')
    .replace(C1_CSI, '')
    .replace(/\t/g, '  ')
    .replace(OTHER_CONTROLS, '');
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
 * target is visible, not just the words a server chose), blank-line runs
 * collapsed. The rest of Markdown reads well enough as it is.
 */
export function markdownToPlainText(markdown: string): string {
  return sanitizeMultiline(markdown)
    .replace(/!?\[([^\]\n]*)\]\(([^)\s]+)(?:\s+"[^"\n]*")?\)/g, (_all, label: string, url: string) =>
      label.trim() === '' || label.trim() === url ? `<${url}>` : `${label} <${url}>`,
    )
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** `299000` → `4m 59s`; never negative. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes >= 60) return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
  return minutes > 0 ? `${minutes}m ${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}
