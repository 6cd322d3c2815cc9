/**
 * Text a client chose (an MCP server's reason, tool, guide, field labels,
 * its version string; a process's executable path and command line) made
 * safe to show next to Keyhold's own words, in the window and the terminal.
 *
 * Two tricks are taken away:
 * - Characters that draw nothing but are not collapsed as spaces: the
 *   braille blank (U+2800), the Hangul fillers (U+115F, U+1160, U+3164,
 *   U+FFA0) and every Unicode space but the plain one. Padded with them, a
 *   reason wraps into rows that read like Keyhold's ("Verification code: …").
 *   They become plain spaces, which the callers collapse.
 * - Characters that draw nothing at all or change how the text around them
 *   is drawn: format characters (zero-width spaces and joiners, word joiner,
 *   soft hyphen, tags, …), bidi embeddings, overrides, isolates and marks
 *   (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), variation
 *   selectors and other invisible marks, private-use, unassigned and lone
 *   surrogate code points. Each run of them becomes one visible U+FFFD (�):
 *   the reader sees that something was there, and the text is drawn in the
 *   order it was written (`evil‮gnp.exe` shows as `evil�gnp.exe`).
 *
 * Control characters (C0, C1, DEL) are left to the caller: the terminal
 * strips them with the escape sequences they start (terminal-text.ts), and
 * the window's DOM never interprets them.
 */

/** Bidi embeddings, overrides and isolates, the LRM/RLM marks and the Arabic letter mark. */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Shown in place of each run of invisible characters. */
export const INVISIBLE_MARK = '\ufffd';

/** Every space separator except U+0020, and the characters fonts draw as blank cells. */
const BLANK_LOOKING = /[\p{Zs}\u115f\u1160\u2800\u3164\uffa0\u{1d159}]/gu;
/**
 * Format characters (Cf: zero-width, bidi, soft hyphen, tags, …), private-use
 * (Co), unassigned (Cn) and lone surrogates (Cs), plus invisible marks outside
 * Cf: combining grapheme joiner, Khmer inherent vowels, Mongolian variation
 * selectors, variation selectors (and their supplement).
 */
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cn}\p{Cs}\u034f\u17b4\u17b5\u180b-\u180f\ufe00-\ufe0f\u{e0100}-\u{e01ef}]+/gu;
/** Combining marks past the fourth on one character ("Zalgo" text) stack over the rows above and below. */
const STACKED_MARKS = /(\p{M}{4})\p{M}+/gu;

/**
 * Blank-looking characters → plain spaces; each run of invisible or
 * bidi-control characters → one `�`; combining marks beyond four per
 * character dropped. Line breaks, tabs and control characters are kept.
 */
export function neutralizeClientText(text: string): string {
  return text
    .replace(INVISIBLE, INVISIBLE_MARK)
    .replace(BLANK_LOOKING, (ch) => (ch === ' ' ? ch : ' '))
    .replace(STACKED_MARKS, '$1');
}
