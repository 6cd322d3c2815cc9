/** Small pure formatting helpers shared by the windows. */

/** "1 secret", "2 secrets". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** Milliseconds left → "mm:ss" (minutes are not capped at 59; never negative). */
export function formatMmSs(remainingMs: number): string {
  const totalSeconds = Math.max(0, Math.ceil(remainingMs / 1000));
  return `${pad2(Math.floor(totalSeconds / 60))}:${pad2(totalSeconds % 60)}`;
}

/** A coarse human duration: "45 s", "12 min", "7 h 59 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeWithSecondsFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export function formatDate(epochMs: number): string {
  return dateFormat.format(epochMs);
}

export function formatDateTime(epochMs: number): string {
  return dateTimeFormat.format(epochMs);
}

/** For log rows, where seconds matter. */
export function formatLogTime(epochMs: number): string {
  return timeWithSecondsFormat.format(epochMs);
}

/** "/usr/local/bin/node" → "node"; works for Windows paths too. */
export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** Keeps long single-line text short for display; the full text belongs in a title. */
export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** The message of anything thrown by an IPC call (the preload already strips Electron's prefix). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message !== '') return error.message;
  return 'Something went wrong. Please try again.';
}

/** The host of a URL for messages, or null when the text is not an absolute URL. */
export function hostOf(url: string): string | null {
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}
