/**
 * Which Keyhold window owns which webContents: the only source of a UI
 * request's identity. The IPC router looks the sender up here (by
 * webContents id) and hands `dispatchUi` the WindowContext it finds — a
 * payload can never claim to be another window or another prompt's window.
 *
 * Entries are added by the window factory before the page loads and removed
 * when the window is closed, so an id is never reused for a stale context.
 */
import type { WindowContext } from '../core/ui-handlers.js';
import type { WindowKind } from '../../shared/ipc-contract.js';

/** The part of a webContents the registry needs (Electron's WebContents has it). */
export interface RegisteredContents {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface RegisteredWindow {
  readonly context: WindowContext;
  /** The URL of the page this window loaded (file URL of out/renderer/<kind>.html, or the dev server page). */
  readonly pageUrl: string;
  readonly contents: RegisteredContents;
}

export class WindowRegistry {
  private readonly byContentsId = new Map<number, RegisteredWindow>();

  register(entry: RegisteredWindow): void {
    if (this.byContentsId.has(entry.contents.id)) throw new Error(`webContents ${entry.contents.id} is already registered`);
    this.byContentsId.set(entry.contents.id, entry);
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
    return [...this.byContentsId.values()].find((entry) => entry.context.kind !== 'manager' && entry.context.promptId === promptId);
  }

  get size(): number {
    return this.byContentsId.size;
  }
}

/** "approval window 12 (prompt 3f2a…)" — for log lines; names no value. */
export function describeWindow(entry: RegisteredWindow): string {
  const { context } = entry;
  return context.kind === 'manager'
    ? `manager window ${entry.contents.id}`
    : `${context.kind} window ${entry.contents.id} (prompt ${context.promptId})`;
}
