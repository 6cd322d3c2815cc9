/**
 * Builds a window's `window.keyhold` API from the IPC contract: one named
 * function per method, one `on<Event>` per event (returning its unsubscribe).
 * Nothing generic reaches the page: no channel names, no raw ipcRenderer, no
 * process.env. Every response and event is parsed with its schema here, so
 * the page only ever sees contract-shaped data.
 *
 * The transport is injected: ipcRenderer in the Electron preloads, a
 * Playwright binding in the browser test harness — the same code in both.
 */
import {
  STICKY_EVENTS,
  WINDOW_ARGUMENT,
  WINDOW_KINDS,
  eventChannel,
  eventsOf,
  invokeChannel,
  methodsOf,
  responseSchema,
  type WindowApi,
  type WindowKind,
} from '../shared/ipc-contract.js';

export interface IpcTransport {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /** Subscribes to a main → renderer event; returns the unsubscribe. */
  on(channel: string, listener: () => void): () => void;
}

export function createWindowApi<W extends WindowKind>(window: W, transport: IpcTransport): WindowApi<W> {
  const api: Record<string, unknown> = {};
  for (const method of methodsOf(window)) {
    const channel = invokeChannel(window, method);
    const schema = responseSchema(window, method);
    api[method] = async (request: unknown): Promise<unknown> => {
      let raw: unknown;
      try {
        raw = await transport.invoke(channel, request ?? {});
      } catch (error) {
        throw new Error(cleanIpcError(error), { cause: error });
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new Error(`Keyhold sent an unexpected reply to ${method}.`);
      return parsed.data;
    };
  }
  for (const event of eventsOf(window)) {
    const channel = eventChannel(window, event);
    const name = `on${event.charAt(0).toUpperCase()}${event.slice(1)}`;
    api[name] = STICKY_EVENTS.has(event) ? stickyEvent(transport, channel) : (listener: () => void) => transport.on(channel, () => listener());
  }
  return Object.freeze(api) as WindowApi<W>;
}

/**
 * A sticky event: subscribed from the start, so one that arrives before the
 * page listens is delivered to the page's first listener (once, later ticks).
 */
function stickyEvent(transport: IpcTransport, channel: string): (listener: () => void) => () => void {
  const listeners = new Set<() => void>();
  let missed = false;
  transport.on(channel, () => {
    if (listeners.size === 0) missed = true;
    for (const listener of [...listeners]) listener();
  });
  return (listener) => {
    const own = (): void => listener();
    listeners.add(own);
    if (missed) {
      missed = false;
      queueMicrotask(() => listeners.has(own) && own());
    }
    return () => void listeners.delete(own);
  };
}

/** Electron prefixes errors thrown in main ("Error invoking remote method '…': Error: …"); keep the message. */
function cleanIpcError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error invoking remote method '[^']*': (?:\w+: )?/, '');
}

/** main passes `--keyhold-window=<kind>` (WINDOW_ARGUMENT) in webPreferences.additionalArguments. */
export function windowKindFromArgv(argv: readonly string[]): WindowKind | undefined {
  const value = argv.find((arg) => arg.startsWith(WINDOW_ARGUMENT))?.slice(WINDOW_ARGUMENT.length);
  return WINDOW_KINDS.find((kind) => kind === value);
}
