/**
 * The PromptBoard's WindowHost in the app: one approval or entry window per
 * open prompt. It does no policy (the board and ui-handlers decide who may
 * answer what); it opens, focuses and closes windows, and reports a window
 * the user closed without answering, which the board counts as Deny/Cancel.
 */
import type { WindowHost } from '../core/prompt-board.js';
import type { Prompt } from '../core/prompter.js';
import type { WindowContext } from '../core/ui-handlers.js';

/** The window surface the host uses (the factory's BrowserWindow has it). */
export interface PromptWindow {
  show(): void;
  focus(): void;
  restore(): void;
  close(): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  once(event: 'closed', listener: () => void): unknown;
}

export interface ElectronWindowHostDeps {
  /** createKeyholdWindow, bound to the app's factory deps. */
  readonly openWindow: (context: WindowContext, server: string) => PromptWindow;
  /** The board's `windowClosed`: the user dismissed a prompt's window. */
  readonly windowClosed: (promptId: string) => void;
  /** Called before a prompt's window opens (the notifier decides whether to notify). */
  readonly promptOpening?: (prompt: Prompt) => void;
  /** Called once a prompt's window is gone, whoever closed it. */
  readonly promptGone?: (promptId: string) => void;
}

export class ElectronWindowHost implements WindowHost {
  private readonly windows = new Map<string, PromptWindow>();

  constructor(private readonly deps: ElectronWindowHostDeps) {}

  openPrompt(prompt: Prompt): void {
    if (this.windows.has(prompt.id)) {
      this.focusPrompt(prompt.id);
      return;
    }
    this.deps.promptOpening?.(prompt);
    const window = this.deps.openWindow({ kind: prompt.kind, promptId: prompt.id }, prompt.server);
    this.windows.set(prompt.id, window);
    window.once('closed', () => {
      // Still ours: nobody answered through closePrompt, so the user closed it.
      if (this.windows.get(prompt.id) === window) {
        this.windows.delete(prompt.id);
        this.deps.windowClosed(prompt.id);
      }
      this.deps.promptGone?.(prompt.id);
    });
  }

  closePrompt(promptId: string): void {
    const window = this.windows.get(promptId);
    if (window === undefined) return;
    this.windows.delete(promptId);
    if (!window.isDestroyed()) window.close();
  }

  focusPrompt(promptId: string): void {
    const window = this.windows.get(promptId);
    if (window === undefined || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  /** Prompt ids with a window on screen. */
  openPromptIds(): string[] {
    return [...this.windows.keys()];
  }
}
