/**
 * A prompt window's request, loaded once when the window serves a prompt. A
 * failed load shows in `error`, which the window also uses for failures after
 * that (`setError`).
 *
 * A pre-loaded ("warm") window — page URL hash `#warm` — is made by main
 * before there is a prompt for it: it waits, hidden and rendering nothing,
 * until main assigns it one (`onAssigned`), then loads like any other.
 *
 * Main says `assigned` once. A page that is reloaded after that (a reload
 * key, a renderer that restarted the page) would wait forever on a blank
 * window, so a reloaded warm page also asks (pull): if main already gave its
 * window a prompt, `load` answers; if not, it is refused and the page waits.
 */
import { useEffect, useState } from 'react';

import { WARM_WINDOW_HASH } from '../../shared/ipc-contract.js';
import { errorMessage } from './format.js';

export interface PromptViewHandle<V> {
  /** null until loaded. */
  readonly view: V | null;
  readonly error: string | null;
  readonly setError: (error: string | null) => void;
  /** True while a warm window waits for its prompt: render nothing. */
  readonly waiting: boolean;
}

/** The window API calls the hook uses (approval's and entry's both have them). */
export interface PromptViewSource<V> {
  load(request: Record<string, never>): Promise<V>;
  onAssigned(listener: () => void): () => void;
}

const warmOnOpen = (): boolean => window.location.hash === `#${WARM_WINDOW_HASH}`;

/** True when this document is a reload of the page (not its first load). */
const reloaded = (): boolean => {
  const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
  return navigation?.type === 'reload';
};

/** Loads the view with `source.load`, then runs `onLoaded` with it and names the window `title(view)`. */
export function usePromptView<V>(source: PromptViewSource<V>, title: (view: V) => string, onLoaded?: (view: V) => void): PromptViewHandle<V> {
  const [view, setView] = useState<V | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(warmOnOpen);

  useEffect(() => {
    let live = true;
    const show = (loaded: V): void => {
      if (!live) return;
      setView(loaded);
      onLoaded?.(loaded);
      document.title = title(loaded);
    };
    const load = (): void => {
      source.load({}).then(show, (failure: unknown) => live && setError(`Could not load this request. ${errorMessage(failure)}`));
    };
    if (!warmOnOpen()) {
      load();
      return () => {
        live = false;
      };
    }
    // A window is assigned once: later events (there should be none) are ignored.
    let assigned = false;
    const unsubscribe = source.onAssigned(() => {
      if (!live || assigned) return;
      assigned = true;
      setWaiting(false);
      load();
    });
    if (reloaded()) {
      source.load({}).then(
        (loaded) => {
          if (!live || assigned) return;
          assigned = true;
          setWaiting(false);
          show(loaded);
        },
        // Not assigned yet: `assigned` will come.
        () => undefined,
      );
    }
    return () => {
      live = false;
      unsubscribe();
    };
    // Once per window (the first render's callbacks): the request does not change while the window is open.
  }, []);

  return { view, error, setError, waiting };
}
