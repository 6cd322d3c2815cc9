/**
 * Which Keyhold window owns which webContents: the only source of a UI
 * request's identity. The IPC router looks the sender up here (by
 * webContents id) and hands `dispatchUi` the WindowContext it finds — a
 * payload can never claim to be another window or another prompt's window.
 *
 * Entries are added by the window factory before the page loads and removed
 * when the window is closed, so an id is never reused for a stale context.
 *
 * A pre-loaded ("warm") prompt window is registered for no prompt (a
 * WarmWindowContext, which ui-handlers refuses, so it can do nothing)
 * and `assign`ed its prompt exactly once, before main tells its page.
 */
import type { PromptWindowContext, WindowContext } from '../core/ui-handlers.js';
import type { WindowKind } from '../../shared/ipc-contract.js';

/** The part of a webContents the registry needs (Electron's WebContents has it). */
export interface RegisteredContents {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface RegisteredWindow {
  /** Replaced once, by `assign`, for a warm window. */
  context: WindowContext;
  /** The URL of the page this window loaded (file URL of out/renderer/<kind>.html, or the dev server page). */
  readonly pageUrl: string;
  readonly contents: RegisteredContents;
}

export class WindowRegistry {
  private readonly byContentsId = new Map<number, RegisteredWindow>();

  register(entry: RegisteredWindow): void {
    if (this.byContentsId.has(entry.contents.id)) throw new Error(`webContents ${entry.contents.id} is already registered`);
    this.byContentsId.set(entry.contents.id, { ...entry });
  }

  /**
   * Gives a warm window (registered for no prompt) its prompt. Refused for any
   * other window, another kind, or no prompt: a window serves one prompt, ever.
   */
  assign(contentsId: number, context: PromptWindowContext): void {
    const entry = this.byContentsId.get(contentsId);
    if (entry === undefined || !('warm' in entry.context)) throw new Error(`webContents ${contentsId} is not a warm prompt window`);
    if (context.kind !== entry.context.kind || context.promptId === '') throw new Error(`webContents ${contentsId} cannot serve that prompt`);
    entry.context = context;
  }

  unregister(contentsId: number): void {
    this.byContentsId.delete(contentsId);
  }

  get(contentsId: number): RegisteredWindow | undefined {
    return this.byContentsId.get(contentsId);
  }

  ofKind(kind: WindowKind): RegisteredWindow[] {
    return [...this.byContentsId.values()].filter((entry) => entry.context.kind === kind);
  }

  forPrompt(promptId: string): RegisteredWindow | undefined {
    return [...this.byContentsId.values()].find((entry) => 'promptId' in entry.context && entry.context.promptId === promptId);
  }

  get size(): number {
    return this.byContentsId.size;
  }
}

/** "approval window 12 (prompt 3f2a…)" — for log lines; names no value. */
export function describeWindow(entry: RegisteredWindow): string {
  const { context } = entry;
  if (context.kind === 'manager') return `manager window ${entry.contents.id}`;
  return `${context.kind} window ${entry.contents.id} (${'warm' in context ? 'warm, no prompt yet' : `prompt ${context.promptId}`})`;
}
