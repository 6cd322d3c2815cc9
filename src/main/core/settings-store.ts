/**
 * User settings kept by the core (`settings.json`). Start-at-login is not
 * here: the OS owns it, and the Electron adapter reads and writes it there.
 */
import { EventEmitter } from 'node:events';

import { z } from 'zod';

import { GRANT_TTL_MINUTES, grantTtlMinutesSchema } from '../../shared/domain.js';
import { loadJson, saveJson } from './json-store.js';

export const SETTINGS_FILE_NAME = 'settings.json';

export const coreSettingsSchema = z.object({
  grantTtlMinutes: grantTtlMinutesSchema,
});
export type CoreSettings = z.infer<typeof coreSettingsSchema>;

export class SettingsStore {
  private readonly events = new EventEmitter();

  private constructor(
    private readonly dataDir: string,
    private current: CoreSettings,
  ) {}

  static async open(dataDir: string): Promise<SettingsStore> {
    const settings = await loadJson(dataDir, SETTINGS_FILE_NAME, coreSettingsSchema, () => ({ grantTtlMinutes: GRANT_TTL_MINUTES.default }));
    return new SettingsStore(dataDir, settings);
  }

  get(): CoreSettings {
    return { ...this.current };
  }

  async update(patch: Partial<CoreSettings>): Promise<CoreSettings> {
    const next = coreSettingsSchema.parse({ ...this.current, ...patch });
    await saveJson(this.dataDir, SETTINGS_FILE_NAME, next);
    this.current = next;
    this.events.emit('change');
    return this.get();
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }
}
