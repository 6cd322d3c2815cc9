/**
 * A desktop notification when a prompt opens while Keyhold is in the
 * background (no Keyhold window has focus): the window may open behind
 * others, or focus-stealing prevention may keep it there. Clicking the
 * notification brings the prompt's window forward. The text names the
 * server, the secret names and the verification code — never a value.
 *
 * A notification can fail to show (an unsigned macOS build may not post
 * notifications; Windows without an AppUserModelId shortcut): Electron then
 * emits `failed`. The prompt's window is open either way; the failure is logged.
 */
import type { Prompt } from '../core/prompter.js';

export interface DesktopNotification {
  show(): void;
  close(): void;
  on(event: 'click', listener: () => void): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
}

export interface PromptNotifierDeps {
  readonly isSupported: () => boolean;
  /** True when a Keyhold window has keyboard focus (BrowserWindow.getFocusedWindow() !== null). */
  readonly appHasFocus: () => boolean;
  readonly createNotification: (options: { title: string; body: string }) => DesktopNotification;
  readonly focusPrompt: (promptId: string) => void;
  readonly log?: (message: string) => void;
}

export function notificationText(prompt: Prompt): { title: string; body: string } {
  const names = prompt.kind === 'approval' ? prompt.names : prompt.fields.map((f) => f.name);
  const list = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  const title = prompt.kind === 'approval' ? `${prompt.server} wants to use ${list}` : `${prompt.server} asks you to enter ${list}`;
  return { title, body: `Verification code ${prompt.verificationCode}. Click to open the Keyhold window.` };
}

export class PromptNotifier {
  /** Kept referenced until the prompt goes: a collected notification loses its click handler. */
  private readonly shown = new Map<string, DesktopNotification>();

  constructor(private readonly deps: PromptNotifierDeps) {}

  promptOpening(prompt: Prompt): void {
    if (this.deps.appHasFocus() || !this.deps.isSupported()) return;
    const notification = this.deps.createNotification(notificationText(prompt));
    notification.on('click', () => this.deps.focusPrompt(prompt.id));
    notification.on('failed', (_event, error) => {
      this.shown.delete(prompt.id);
      this.deps.log?.(`the desktop notification for the ${prompt.kind} prompt could not be shown (${error}); its window is open`);
    });
    this.shown.set(prompt.id, notification);
    notification.show();
  }

  promptGone(promptId: string): void {
    const notification = this.shown.get(promptId);
    if (notification === undefined) return;
    this.shown.delete(promptId);
    notification.close();
  }
}
