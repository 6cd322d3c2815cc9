/** Window-level keyboard shortcuts. */
import { useEffect, useRef } from 'react';

/**
 * Calls `handler` when `key` is pressed anywhere in the window, unless a
 * deeper handler already took the event (defaultPrevented) or an IME is composing.
 */
export function useWindowKey(key: string, handler: () => void, enabled = true): void {
  const handlerRef = useRef(handler);
  useEffect(() => {
    handlerRef.current = handler;
  });
  useEffect(() => {
    if (!enabled) return undefined;
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.key !== key || event.defaultPrevented || event.isComposing || event.repeat) return;
      event.preventDefault();
      handlerRef.current();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [key, enabled]);
}
