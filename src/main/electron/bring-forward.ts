/**
 * Brings a Keyhold window to the front — and says so when the desktop will
 * not let it. Windows' foreground lock and GNOME/KDE focus-stealing
 * prevention refuse `focus()` to a background app: the window then flashes in
 * the taskbar (the OS's "look here"), until it gets focus. On macOS a window
 * of an inactive app is not raised unless the app is activated first
 * (`app.focus({ steal: true })`).
 */
export interface ForwardableWindow {
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isFocused(): boolean;
  isDestroyed(): boolean;
  flashFrame(flag: boolean): void;
  once(event: 'focus', listener: () => void): unknown;
}

/** `focusApp`: activates the app first (macOS: app.focus({ steal: true })). */
export function bringForward(window: ForwardableWindow, focusApp?: () => void): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  focusApp?.();
  window.show();
  window.focus();
  if (window.isFocused()) return;
  window.flashFrame(true);
  window.once('focus', () => {
    if (!window.isDestroyed()) window.flashFrame(false);
  });
}
