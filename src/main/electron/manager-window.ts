/**
 * The manager window: at most one, opened from the tray, a second launch or
 * the dock (`activate`), focused when it is already open.
 */
import type { WindowContext } from '../core/ui-handlers.js';
import { bringForward, type ForwardableWindow } from './bring-forward.js';

export interface ManagerWindowLike extends ForwardableWindow {
  once(event: 'closed' | 'focus', listener: () => void): unknown;
}

export class ManagerWindowController {
  private window: ManagerWindowLike | undefined;

  constructor(
    private readonly openWindow: (context: WindowContext) => ManagerWindowLike,
    /** Activates the app before focusing (macOS). */
    private readonly focusApp?: () => void,
  ) {}

  open(): void {
    const current = this.window;
    if (current !== undefined && !current.isDestroyed()) {
      bringForward(current, this.focusApp);
      return;
    }
    const window = this.openWindow({ kind: 'manager' });
    this.window = window;
    window.once('closed', () => {
      if (this.window === window) this.window = undefined;
    });
  }

  get isOpen(): boolean {
    return this.window !== undefined && !this.window.isDestroyed();
  }
}
