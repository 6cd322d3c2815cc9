/**
 * The app's version, from the root package.json: the desktop app, the bundled
 * CLI (esbuild inlines the file) and the packaged `keyhold` launcher all carry
 * the same one.
 */
import packageJson from '../../../package.json' with { type: 'json' };

export const APP_VERSION: string = packageJson.version;

/** What `keyhold --version` prints. */
export function versionLine(): string {
  return `keyhold ${APP_VERSION}\n`;
}
