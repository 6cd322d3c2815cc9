/**
 * Electron entry point (thin adapter). The windows, tray and IPC arrive with
 * the desktop-app issue; until then the app runs the core and answers every
 * prompt with a native dialog.
 */
import { app, dialog } from 'electron';

import { startCore, type KeyholdCore } from '../core/keyhold-core.js';
import type { Prompter } from '../core/prompter.js';
import { resolveDataDir } from '../../shared/data-dir.js';

const dialogPrompter: Prompter = {
  async approve(prompt) {
    const { response } = await dialog.showMessageBox({
      type: 'question',
      title: 'Keyhold',
      message: `${prompt.server} wants to use ${prompt.names.join(', ')}`,
      detail: `${prompt.reason ?? ''}\n\nVerification code: ${prompt.verificationCode}`,
      buttons: ['Deny', 'Allow for session', 'Allow'],
      cancelId: 0,
      defaultId: 0,
      noLink: true,
    });
    return response === 2 ? 'allow' : response === 1 ? 'allow_session' : 'deny';
  },
  async enter() {
    return { action: 'cancel' };
  },
};

let core: KeyholdCore | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('window-all-closed', () => undefined);
  void app.whenReady().then(async () => {
    core = await startCore({ dataDir: resolveDataDir(), prompter: dialogPrompter, appVersion: app.getVersion() });
  });
  app.on('before-quit', (event) => {
    if (core === undefined) return;
    event.preventDefault();
    const stopping = core;
    core = undefined;
    void stopping.stop().finally(() => app.quit());
  });
}
