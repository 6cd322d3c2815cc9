/**
 * A prompt window's request, loaded once when the window opens. A failed load
 * shows in `error`, which the window also uses for failures after that
 * (`setError`).
 */
import { useEffect, useState } from 'react';

import { errorMessage } from './format.js';

export interface PromptViewHandle<V> {
  /** null until loaded. */
  readonly view: V | null;
  readonly error: string | null;
  readonly setError: (error: string | null) => void;
}

/** Loads the view with `load`, then runs `onLoaded` with it and names the window `title(view)`. */
export function usePromptView<V>(load: () => Promise<V>, title: (view: V) => string, onLoaded?: (view: V) => void): PromptViewHandle<V> {
  const [view, setView] = useState<V | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    load().then(
      (loaded) => {
        if (!live) return;
        setView(loaded);
        onLoaded?.(loaded);
        document.title = title(loaded);
      },
      (failure: unknown) => live && setError(`Could not load this request. ${errorMessage(failure)}`),
    );
    return () => {
      live = false;
    };
    // Once per window (the first render's callbacks): the request does not change while the window is open.
  }, []);

  return { view, error, setError };
}
