/**
 * The test's remote control of a fake-Electron run, over the Node IPC
 * channel: read the recorded state, invoke an IPC channel as a given
 * window/frame, close a window as the user would, click the tray icon or a
 * tray menu item, click or fail a notification, press Cmd/Ctrl+R in a window,
 * report a page's preferred size, end the Windows session, quit.
 */
import { app, ipcHandlers, notifications, record, trays } from './electron.js';
import type { Json } from './fake-config.js';
import { pressReload, windows, type MenuItemOptions } from './fake-windows.js';

function plainMenu(items: MenuItemOptions[]): Json {
  return items.map((i) => ({
    label: i.label ?? null,
    role: i.role ?? null,
    type: i.type ?? 'normal',
    enabled: i.enabled ?? true,
    checked: i.checked ?? false,
    clickable: typeof i.click === 'function',
    submenu: i.submenu === undefined ? null : plainMenu(i.submenu),
  }));
}

function trayState(): Json {
  const tray = trays.at(-1);
  return tray === undefined
    ? null
    : { image: tray.image.path, tooltip: tray.tooltip, destroyed: tray.destroyed, menuBuilds: tray.menuBuilds, clickListeners: tray.listenerCount('click'), menu: plainMenu(tray.menu?.template ?? []) };
}

function state(): Json {
  return JSON.parse(
    JSON.stringify({
      ...record,
      applicationMenu: record.applicationMenu === null ? null : plainMenu(record.applicationMenu),
      windows: [...windows.values()].map((w) => ({
        id: w.webContents.id,
        title: w.title,
        options: w.options,
        loaded: w.loaded,
        url: w.webContents.mainFrame.url,
        contentProtection: w.contentProtection,
        menuRemoved: w.menuRemoved,
        visible: w.visible,
        focused: w.isFocused(),
        flashing: w.flashing,
        contentSize: w.contentSize,
        destroyed: w.destroyed,
        sent: w.webContents.sent,
        reloads: w.webContents.reloads,
        contentsEvents: w.webContents.eventNames(),
        windowEvents: w.eventNames(),
        denyWindowOpen: w.webContents.openHandler?.({ url: 'https://example.com/' }).action === 'deny',
      })),
      tray: trayState(),
      ipcChannels: [...ipcHandlers.keys()].sort(),
      appEvents: app.eventNames(),
    }),
  ) as Json;
}

function findItem(items: MenuItemOptions[], path: string[]): MenuItemOptions {
  const [first, ...rest] = path;
  const item = items.find((i) => i.label === first);
  if (item === undefined) throw new Error(`no tray menu item "${first}"`);
  return rest.length === 0 ? item : findItem(item.submenu ?? [], rest);
}

function windowById(id: number) {
  const w = windows.get(id);
  if (w === undefined) throw new Error(`no window ${id}`);
  return w;
}

type Command =
  | { op: 'state' }
  | { op: 'invoke'; windowId: number; channel: string; args: unknown[]; frame?: 'main' | 'sub' | { url: string } | 'gone' }
  | { op: 'close-window'; windowId: number }
  | { op: 'tray-click'; path: string[] }
  | { op: 'tray-icon-click' }
  | { op: 'notification-click'; index: number }
  | { op: 'notification-failed'; index: number }
  | { op: 'press-reload'; windowId: number }
  | { op: 'preferred-size'; windowId: number; width: number; height: number }
  | { op: 'second-instance'; argv: string[] }
  | { op: 'session-end' }
  | { op: 'quit' };

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'state':
      return state();
    case 'invoke': {
      const w = windowById(command.windowId);
      const handler = ipcHandlers.get(command.channel);
      if (handler === undefined) throw new Error(`no handler for ${command.channel}`);
      const main = w.webContents.mainFrame;
      const frame = command.frame ?? 'main';
      const senderFrame =
        frame === 'main' ? main : frame === 'sub' ? { url: main.url, parent: main, processId: 1, routingId: 9999 } : frame === 'gone' ? null : { ...main, url: frame.url };
      const sender = frame !== 'main' && frame !== 'sub' && frame !== 'gone' ? { id: w.webContents.id, mainFrame: senderFrame } : w.webContents;
      return handler({ sender, senderFrame }, ...command.args);
    }
    case 'close-window':
      windows.get(command.windowId)?.close();
      return null;
    case 'tray-click':
      findItem(trays.at(-1)?.menu?.template ?? [], command.path).click?.();
      return null;
    case 'tray-icon-click':
      trays.at(-1)?.emit('click', {}, {}, {});
      return null;
    case 'notification-click':
      notifications[command.index]?.emit('click');
      return null;
    case 'notification-failed':
      notifications[command.index]?.emit('failed', {}, 'Notification could not be shown: the app is not signed');
      return null;
    case 'press-reload':
      return pressReload(windowById(command.windowId), record.applicationMenu);
    case 'preferred-size':
      windowById(command.windowId).webContents.emit('preferred-size-changed', {}, { width: command.width, height: command.height });
      return null;
    case 'second-instance':
      app.emit('second-instance', { preventDefault: () => undefined }, command.argv, process.cwd(), {});
      return null;
    case 'session-end':
      setImmediate(() => app.endSession());
      return null;
    case 'quit':
      app.quit();
      return null;
  }
}

process.on('message', (message: { seq: number } & Command) => {
  run(message).then(
    (value) => process.send?.({ seq: message.seq, ok: true, value: value ?? null }),
    (error: unknown) => process.send?.({ seq: message.seq, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
