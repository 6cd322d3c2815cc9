/**
 * The PromptBoard's WindowHost in the app: one approval or entry window per
 * open prompt. It does no policy (the board and ui-handlers decide who may
 * answer what); it opens, focuses and closes windows, and reports a window
 * the user closed without answering, which the board counts as Deny/Cancel.
 *
 * Warm windows: once a prompt of a kind has been shown, the host keeps ONE
 * hidden, pre-loaded window of that kind (registered for no prompt, so it can
 * do nothing) and gives the next prompt of that kind to it — its page is
 * already loaded, so the code paints in a fraction of a cold window's time —
 * then pre-loads the next one. The trade-off is memory: one idle renderer
 * process per prompt kind used so far (roughly tens of MB each). An app that
 * never showed a prompt keeps none.
 */
import type { WindowHost } from '../core/prompt-board.js';
import type { Prompt } from '../core/prompter.js';
import type { PromptWindowContext, WindowContext } from '../core/ui-handlers.js';
import { bringForward, type ForwardableWindow } from './bring-forward.js';

/** The window surface the host uses (the factory's BrowserWindow has it). */
export interface PromptWindow extends ForwardableWindow {
  close(): void;
  once(event: 'closed' | 'focus', listener: () => void): unknown;
}

/** A hidden pre-loaded prompt window (the factory's WarmPromptWindow has it). */
export interface WarmWindow extends PromptWindow {
  /** Makes it the window of this prompt (registry, title, tells the page, shows it). Once. */
  assign(context: PromptWindowContext, server: string): void;
}

type PromptKind = Prompt['kind'];

/** How long after a prompt's window opens the next warm one is made: not while the new prompt's page loads its view. */
export const WARM_DELAY_MS = 200;

export interface ElectronWindowHostDeps {
  /** createKeyholdWindow, bound to the app's factory deps. */
  readonly openWindow: (context: WindowContext, server: string) => PromptWindow;
  /** createWarmPromptWindow, bound to the app's factory deps. Without it every prompt opens a new window. */
  readonly warmWindow?: (kind: PromptKind) => WarmWindow;
  /** Runs the warm-up later (default: after WARM_DELAY_MS). */
  readonly schedule?: (task: () => void) => void;
  /** The board's `windowClosed`: the user dismissed a prompt's window. */
  readonly windowClosed: (promptId: string) => void;
  /** Called before a prompt's window opens (the notifier decides whether to notify). */
  readonly promptOpening?: (prompt: Prompt) => void;
  /** Called once a prompt's window is gone, whoever closed it. */
  readonly promptGone?: (promptId: string) => void;
  /** Activates the app before focusing a window (macOS). */
  readonly focusApp?: () => void;
}

export class ElectronWindowHost implements WindowHost {
  private readonly windows = new Map<string, PromptWindow>();
  private readonly warm = new Map<PromptKind, WarmWindow>();
  private readonly warming = new Set<PromptKind>();

  constructor(private readonly deps: ElectronWindowHostDeps) {}

  openPrompt(prompt: Prompt): void {
    if (this.windows.has(prompt.id)) {
      this.focusPrompt(prompt.id);
      return;
    }
    this.deps.promptOpening?.(prompt);
    const context = { kind: prompt.kind, promptId: prompt.id };
    const warm = this.takeWarm(prompt.kind);
    let window: PromptWindow;
    if (warm === undefined) {
      window = this.deps.openWindow(context, prompt.server);
    } else {
      warm.assign(context, prompt.server);
      window = warm;
    }
    this.windows.set(prompt.id, window);
    window.once('closed', () => {
      // Still ours: nobody answered through closePrompt, so the user closed it.
      if (this.windows.get(prompt.id) === window) {
        this.windows.delete(prompt.id);
        this.deps.windowClosed(prompt.id);
      }
      this.deps.promptGone?.(prompt.id);
    });
    this.scheduleWarm(prompt.kind);
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
    bringForward(window, this.deps.focusApp);
  }

  /** Prompt ids with a window on screen. */
  openPromptIds(): string[] {
    return [...this.windows.keys()];
  }

  /** Kinds with a warm window waiting (tests). */
  warmKinds(): PromptKind[] {
    return [...this.warm.keys()];
  }

  private takeWarm(kind: PromptKind): WarmWindow | undefined {
    const warm = this.warm.get(kind);
    this.warm.delete(kind);
    return warm === undefined || warm.isDestroyed() ? undefined : warm;
  }

  private scheduleWarm(kind: PromptKind): void {
    const { warmWindow } = this.deps;
    if (warmWindow === undefined || this.warming.has(kind) || this.warm.has(kind)) return;
    this.warming.add(kind);
    const schedule = this.deps.schedule ?? ((task: () => void) => void setTimeout(task, WARM_DELAY_MS).unref());
    schedule(() => {
      this.warming.delete(kind);
      if (this.warm.has(kind)) return;
      const window = warmWindow(kind);
      this.warm.set(kind, window);
      // Closed before it served a prompt (its page failed, its renderer crashed): just dropped.
      window.once('closed', () => {
        if (this.warm.get(kind) === window) this.warm.delete(kind);
      });
    });
  }
}
