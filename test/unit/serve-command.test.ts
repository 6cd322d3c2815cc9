/**
 * `keyhold serve`'s life cycle around its core: a stop signal that arrives
 * while the core is still starting (bridge.json may already be written) must
 * stop it cleanly — before, it was lost (or, for a real SIGTERM, killed the
 * process and left bridge.json behind).
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';

import { runServe, type RunningCore, type StartCore } from '../../src/main/cli/serve-command.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** A core whose start waits until the test lets it finish, and that records its stop. */
function slowCore(): { start: StartCore; started: Promise<void>; finishStart(): void; stops: number } {
  let finishStart = (): void => undefined;
  let markStarted = (): void => undefined;
  const state = {
    stops: 0,
    started: new Promise<void>((done) => (markStarted = done)),
    finishStart: () => finishStart(),
    start: async (): Promise<RunningCore> => {
      markStarted();
      await new Promise<void>((done) => (finishStart = done));
      return {
        url: 'ws://127.0.0.1:1',
        token: 'not-a-real-token',
        stop: async () => {
          state.stops += 1;
        },
      };
    },
  };
  return state;
}

describe('keyhold serve life cycle', () => {
  it('signal_during_start_leaves_discovery_file: SIGTERM while the core starts stops it once it has started', async () => {
    const home = await makeTempDir();
    const core = slowCore();
    const listenersBefore = process.listenerCount('SIGTERM');
    const exit = runServe(['--home', home.path], {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: {},
      prompter: new ScriptedPrompter(),
      startCore: core.start,
    });
    await core.started;
    // The signal arrives during start; emitting it (not kill) reaches only the listeners, so nothing else dies.
    assert.ok(process.listenerCount('SIGTERM') > listenersBefore, 'serve listens for SIGTERM before its core has started');
    process.emit('SIGTERM', 'SIGTERM');
    core.finishStart();
    assert.equal(await exit, 0);
    assert.equal(core.stops, 1, 'the core was stopped (bridge.json removed) instead of left running');
    assert.equal(process.listenerCount('SIGTERM'), listenersBefore, 'no signal listener is left behind');
    await home.cleanup();
  });

  it('a core that fails to start leaves no signal listener behind', async () => {
    const home = await makeTempDir();
    const listenersBefore = process.listenerCount('SIGINT');
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await runServe(['--home', home.path], {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
      env: {},
      prompter: new ScriptedPrompter(),
      startCore: () => Promise.reject(new Error('port in use')),
    });
    assert.equal(code, 1);
    assert.match(err, /could not start: port in use/);
    assert.equal(process.listenerCount('SIGINT'), listenersBefore);
    await home.cleanup();
  });
});
