/**
 * The tray icon: its menu (built by the pure `buildTrayMenu`), its tooltip
 * (pending count), rebuilt whenever the board, grants, vault or rules change.
 * Tray and Menu.buildFromTemplate are injected; menu clicks come back as
 * typed TrayActions for main.ts to carry out.
 *
 * Rebuilds are coalesced (one per tick), and a slow timer refreshes the menu
 * so grants that expired quietly leave it. A refresh that would build the same
 * menu and tooltip changes nothing (rebuilding closes a menu the user has open
 * on some desktops, and costs a D-Bus round trip on Linux).
 */
import type { MenuItemConstructorOptions } from 'electron';

import { buildTrayMenu, trayClickAction, trayTooltip, type TrayAction, type TrayMenuItem, type TrayState } from './tray-menu.js';

/** The Tray surface used here (Electron's Tray has it); M is the platform menu type. */
export interface TrayIcon<M> {
  setToolTip(toolTip: string): void;
  setContextMenu(menu: M): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
  isDestroyed(): boolean;
}

export interface KeyholdTrayDeps<M> {
  readonly createTray: () => TrayIcon<M>;
  /** Menu.buildFromTemplate. */
  readonly buildMenu: (template: MenuItemConstructorOptions[]) => M;
  readonly state: () => TrayState;
  /** Subscribes to every change that affects the menu; returns the unsubscribe. */
  readonly subscribe: (listener: () => void) => () => void;
  readonly onAction: (action: TrayAction) => void;
  /**
   * Whether a left click on the icon acts (oldest request, else the manager).
   * Windows and Linux: there a left click does not open the menu (Electron's
   * StatusNotifierItem reports KDE's left click as `click`; hosts that treat
   * the item as a menu open the menu instead). On macOS a click opens the menu.
   */
  readonly leftClickActs: boolean;
  /** Default: setImmediate. */
  readonly schedule?: (run: () => void) => void;
  /** Default: one minute. 0 turns the timer off (tests). */
  readonly refreshEveryMs?: number;
}

/** TrayMenuItems → Electron menu template; each click runs `onAction` with the item's typed action. */
export function toMenuTemplate(items: readonly TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const { action, submenu, ...rest } = item;
    const options: MenuItemConstructorOptions = { ...rest };
    if (submenu !== undefined) options.submenu = toMenuTemplate(submenu, onAction);
    if (action !== undefined) options.click = () => onAction(action);
    return options;
  });
}

export class KeyholdTray<M> {
  readonly icon: TrayIcon<M>;
  private readonly unsubscribe: () => void;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private scheduled = false;
  private disposed = false;
  /** What the icon shows now (tooltip + menu, as JSON): a refresh that changes nothing is skipped. */
  private shown = '';

  constructor(private readonly deps: KeyholdTrayDeps<M>) {
    this.icon = deps.createTray();
    if (deps.leftClickActs) this.icon.on('click', () => deps.onAction(trayClickAction(deps.state())));
    this.unsubscribe = deps.subscribe(() => this.scheduleRefresh());
    const every = deps.refreshEveryMs ?? 60_000;
    this.timer = every > 0 ? setInterval(() => this.scheduleRefresh(), every) : undefined;
    this.timer?.unref();
    this.refresh();
  }

  /** Rebuilds menu and tooltip now. */
  refresh(): void {
    if (this.disposed || this.icon.isDestroyed()) return;
    const state = this.deps.state();
    const tooltip = trayTooltip(state);
    const menu = buildTrayMenu(state);
    const shown = JSON.stringify([tooltip, menu]);
    if (shown === this.shown) return;
    this.shown = shown;
    this.icon.setToolTip(tooltip);
    this.icon.setContextMenu(this.deps.buildMenu(toMenuTemplate(menu, this.deps.onAction)));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    if (this.timer !== undefined) clearInterval(this.timer);
    if (!this.icon.isDestroyed()) this.icon.destroy();
  }

  private scheduleRefresh(): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    (this.deps.schedule ?? setImmediate)(() => {
      this.scheduled = false;
      this.refresh();
    });
  }
}

/**
 * macOS wants a black 22×22 "Template" image (tinted by the menu bar; @2x beside it is picked up);
 * Windows an .ico with a size per display scale (16–48 px); Linux a 22×22 PNG.
 */
export function trayIconFile(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'tray-iconTemplate.png';
  return platform === 'win32' ? 'tray-icon.ico' : 'tray-icon.png';
}
