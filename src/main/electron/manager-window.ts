/**
 * The manager window: at most one, opened from the tray, a second launch or
 * the dock (`activate`), focused when it is already open.
 */
import type { WindowContext } from '../core/ui-handlers.js';

export interface ManagerWindowLike {
  show(): void;
  focus(): void;
  restore(): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  once(event: 'closed', listener: () => void): unknown;
}

export class ManagerWindowController {
  private window: ManagerWindowLike | undefined;

  constructor(private readonly openWindow: (context: WindowContext) => ManagerWindowLike) {}

  open(): void {
    const current = this.window;
    if (current !== undefined && !current.isDestroyed()) {
      if (current.isMinimized()) current.restore();
      current.show();
      current.focus();
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
