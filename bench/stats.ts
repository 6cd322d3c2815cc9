/** Timing samples, percentiles and the result rows every bench suite reports. */
import { performance } from 'node:perf_hooks';

export interface BenchResult {
  readonly name: string;
  /** What was measured and how, in a few words (shown in the table and the README). */
  readonly note?: string;
  readonly samples?: number;
  readonly p50_ms?: number;
  readonly p95_ms?: number;
  readonly p99_ms?: number;
  readonly ops_per_s?: number;
  readonly rss_mb?: number;
  /** A suite that could not run says why (e.g. no Chromium). */
  readonly skipped?: string;
}

export interface BenchTarget {
  readonly name: string;
  /** The target in words, e.g. "≤ 0.3 ms". */
  readonly target: string;
  /** The measured figure in words; undefined when it could not be measured. */
  readonly measured: string | undefined;
  readonly met: boolean;
  /** Why it is (not) met, when that needs saying. */
  readonly why?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** p50 / p95 / p99 of latency samples in ms. */
export function summarize(samples: readonly number[]): { samples: number; p50_ms: number; p95_ms: number; p99_ms: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, p50_ms: round(percentile(sorted, 50)), p95_ms: round(percentile(sorted, 95)), p99_ms: round(percentile(sorted, 99)) };
}

/** Runs `op` sequentially `count` times after `warmup` untimed runs; returns each run's time in ms. */
export async function timeSequential(count: number, warmup: number, op: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i += 1) await op();
  const times: number[] = new Array<number>(count);
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await op();
    times[i] = performance.now() - start;
  }
  return times;
}

/** Sync variant (env reads): ops are too fast to time one by one, so batches of `batch` are timed. */
export function timeSyncBatches(batches: number, batch: number, op: () => unknown): number[] {
  const times: number[] = [];
  let sink = 0;
  for (let b = 0; b < batches; b += 1) {
    const start = performance.now();
    for (let i = 0; i < batch; i += 1) if (op() !== undefined) sink += 1;
    times.push((performance.now() - start) / batch);
  }
  if (sink < 0) throw new Error('unreachable');
  return times;
}

export function round(value: number, digits = 4): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  // Negative phases happen (a warm page loaded before the request): same units as their size.
  if (ms < 0) return `−${formatMs(-ms)}`;
  if (ms < 0.001) return `${(ms * 1_000_000).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}

/** A plain-text table: one row per result. */
export function resultTable(results: readonly BenchResult[]): string {
  const header = ['benchmark', 'p50', 'p95', 'p99', 'ops/s', 'RSS', 'n', ''];
  const rows = results.map((r) =>
    r.skipped !== undefined
      ? [r.name, '—', '—', '—', '—', '—', '—', `skipped: ${r.skipped}`]
      : [r.name, formatMs(r.p50_ms), formatMs(r.p95_ms), formatMs(r.p99_ms), formatRate(r.ops_per_s), r.rss_mb === undefined ? '—' : `${r.rss_mb.toFixed(1)} MB`, String(r.samples ?? '—'), ''],
  );
  return textTable([header, ...rows]);
}

export function targetTable(targets: readonly BenchTarget[]): string {
  return textTable([['target', 'wanted', 'measured', 'met'], ...targets.map((t) => [t.name, t.target, t.measured ?? '—', t.met ? 'yes' : 'NO'])]);
}

function textTable(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}
