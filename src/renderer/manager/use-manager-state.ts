/**
 * The manager's view of main's state: loaded on mount, reloaded whenever main
 * says something changed (the event carries nothing; we ask again), and
 * unsubscribed on unmount. Replies that arrive out of order are dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

import type { ManagerState } from '../../shared/ipc-contract.js';
import { errorMessage } from '../shared/format.js';
import { api } from './api.js';

export interface ManagerStateHandle {
  readonly state: ManagerState | null;
  readonly loadError: string | null;
  /** Counts change events, so views with their own data (activity) know to reload. */
  readonly changeCount: number;
  readonly reload: () => Promise<void>;
}

export function useManagerState(): ManagerStateHandle {
  const [state, setState] = useState<ManagerState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [changeCount, setChangeCount] = useState(0);
  const latest = useRef(0);

  const reload = useCallback(async (): Promise<void> => {
    const request = ++latest.current;
    try {
      const loaded = await api.load({});
      if (request !== latest.current) return;
      setState(loaded);
      setLoadError(null);
    } catch (failure) {
      if (request === latest.current) setLoadError(`Could not load Keyhold's state. ${errorMessage(failure)}`);
    }
  }, []);

  useEffect(() => {
    void reload();
    const unsubscribe = api.onChanged(() => {
      setChangeCount((count) => count + 1);
      void reload();
    });
    return () => {
      unsubscribe();
      // Any reply still in flight is for an unmounted view.
      latest.current += 1;
    };
  }, [reload]);

  return { state, loadError, changeCount, reload };
}
