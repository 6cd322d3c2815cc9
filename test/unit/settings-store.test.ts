import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SettingsStore } from '../../src/main/core/settings-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('settings store', () => {
  it('defaults to an 8 h grant TTL, validates updates, and persists them', async () => {
    const dir = await makeTempDir();
    const settings = await SettingsStore.open(dir.path);
    assert.equal(settings.get().grantTtlMinutes, 480);
    let changes = 0;
    settings.onChange(() => (changes += 1));
    await settings.update({ grantTtlMinutes: 15 });
    await assert.rejects(settings.update({ grantTtlMinutes: 0 }));
    await assert.rejects(settings.update({ grantTtlMinutes: 1.5 }));
    assert.equal(changes, 1);
    assert.equal((await SettingsStore.open(dir.path)).get().grantTtlMinutes, 15);
    await dir.cleanup();
  });
});
