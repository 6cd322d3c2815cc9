/**
 * The only module that touches ipcMain (lint-enforced). One `handle` per
 * window kind × method of the IPC contract, each behind the same trusted-
 * sender check:
 *
 *   1. the sender webContents is a registered Keyhold window;
 *   2. the calling frame is that window's main frame (no subframe, no
 *      frame that navigated or was destroyed);
 *   3. the frame shows the window's own page (its file URL under
 *      out/renderer, or the dev server page) — not some other document that
 *      found its way into the window.
 *
 * Then `dispatchUi` with the WindowContext from the registry (which kind,
 * which prompt); it refuses another kind's methods and parses the payload
 * with the contract. A refused call is logged as
 * `rejected IPC <channel> from <reason>` — never with its payload, which may
 * hold a secret value — and the renderer gets an error message that names
 * no value either.
 *
 * ipcMain is injected (a fake in unit tests); `electronIpcMain()` loads the
 * real one only when the app calls it, so this module runs on plain Node.
 */
import { dispatchUi, UiRequestRejected, type createUiHandlers } from '../core/ui-handlers.js';
import { eventChannel, invokeChannel, methodsOf, WINDOW_KINDS, type EventOf, type WindowKind } from '../../shared/ipc-contract.js';
import { isKeyholdError } from '../../shared/keyhold-error.js';
import { describeWindow, type RegisteredWindow, type WindowRegistry } from './window-registry.js';

/** The frame surface the check reads (Electron's WebFrameMain has it). */
export interface SenderFrame {
  readonly url: string;
  readonly parent: SenderFrame | null;
  readonly processId: number;
  readonly routingId: number;
}

/** The invoke event surface the check reads (Electron's IpcMainInvokeEvent has it). */
export interface SenderEvent {
  readonly sender: { readonly id: number; readonly mainFrame: SenderFrame };
  readonly senderFrame: SenderFrame | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export type UiHandlers = ReturnType<typeof createUiHandlers>;

export interface IpcRouterDeps {
  readonly ipcMain: IpcMainLike;
  readonly registry: WindowRegistry;
  readonly handlers: UiHandlers;
  /** True when `url` is the page a window of this kind must show (RendererPages.isOwnPage). */
  readonly isOwnPage: (kind: WindowKind, url: string) => boolean;
  readonly log: (message: string) => void;
}

export interface IpcRouter {
  /** Pushes a contract event (no payload) to every open window of that kind. */
  sendEvent<W extends WindowKind>(kind: W, event: EventOf<W>): void;
  /** Removes every handler (tests; the app keeps them for its lifetime). */
  dispose(): void;
}

/** What the renderer sees when its sender is refused. Deliberately vague: the log has the reason. */
export const REFUSED_SENDER_MESSAGE = 'Keyhold refused this request.';
const FAILED_MESSAGE = 'Keyhold could not complete this request. See the app log for details.';

type SenderCheck = { readonly ok: true; readonly window: RegisteredWindow } | { readonly ok: false; readonly reason: string };

/** Decides whether an invoke event comes from a Keyhold window's own page. Exported for tests. */
export function checkSender(event: SenderEvent, registry: WindowRegistry, isOwnPage: IpcRouterDeps['isOwnPage']): SenderCheck {
  const window = registry.get(event.sender.id);
  if (window === undefined) return { ok: false, reason: `an unregistered webContents (${event.sender.id})` };
  const frame = event.senderFrame;
  const who = describeWindow(window);
  if (frame === null) return { ok: false, reason: `${who}: its frame is gone (navigated or destroyed)` };
  const main = event.sender.mainFrame;
  if (frame.parent !== null || frame.processId !== main.processId || frame.routingId !== main.routingId) {
    return { ok: false, reason: `a subframe of ${who}` };
  }
  if (!isOwnPage(window.context.kind, frame.url) || !isOwnPage(window.context.kind, window.pageUrl)) {
    return { ok: false, reason: `${who}: its frame does not show the ${window.context.kind} page` };
  }
  return { ok: true, window };
}

export function createIpcRouter(deps: IpcRouterDeps): IpcRouter {
  const { ipcMain, registry, handlers, log } = deps;
  const channels: string[] = [];

  for (const kind of WINDOW_KINDS) {
    for (const method of methodsOf(kind)) {
      const channel = invokeChannel(kind, method);
      channels.push(channel);
      ipcMain.handle(channel, async (event, ...args) => {
        const sender = checkSender(event, registry, deps.isOwnPage);
        if (!sender.ok) {
          log(`rejected IPC ${channel} from ${sender.reason}`);
          throw new Error(REFUSED_SENDER_MESSAGE);
        }
        const who = describeWindow(sender.window);
        if (args.length !== 1) {
          log(`rejected IPC ${channel} from ${who}: expected one payload argument, got ${args.length}`);
          throw new Error(REFUSED_SENDER_MESSAGE);
        }
        try {
          return await dispatchUi(handlers, sender.window.context, kind, method, args[0]);
        } catch (error) {
          // The error the renderer gets is built fresh, message only: no cause or stack crosses to the page.
          /* eslint-disable preserve-caught-error */
          if (error instanceof UiRequestRejected || isKeyholdError(error)) {
            log(`rejected IPC ${channel} from ${who}: ${error.message}`);
            throw new Error(error.message);
          }
          log(`IPC ${channel} from ${who} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown'}`);
          throw new Error(FAILED_MESSAGE);
          /* eslint-enable preserve-caught-error */
        }
      });
    }
  }

  return {
    sendEvent(kind, event) {
      const channel = eventChannel(kind, event);
      for (const window of registry.ofKind(kind)) {
        if (!window.contents.isDestroyed()) window.contents.send(channel);
      }
    },
    dispose() {
      for (const channel of channels.splice(0)) ipcMain.removeHandler(channel);
    },
  };
}

/** Electron's ipcMain, imported on first use (the app calls this once it runs inside Electron). */
export async function electronIpcMain(): Promise<IpcMainLike> {
  const { ipcMain } = await import('electron');
  return ipcMain;
}
