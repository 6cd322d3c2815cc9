/** The app's version, from the root package.json (the CLI runs from source through tsx). */
import packageJson from '../../../package.json' with { type: 'json' };

export const APP_VERSION: string = packageJson.version;
