// Resolve hooks: `electron` → the fake Electron, `@napi-rs/keyring` → an
// in-memory keychain. Everything else resolves as usual.
const fakes = {
  electron: new URL('./electron.ts', import.meta.url).href,
  '@napi-rs/keyring': new URL('./keyring.ts', import.meta.url).href,
};

export async function resolve(specifier, context, nextResolve) {
  const fake = Object.hasOwn(fakes, specifier) ? fakes[specifier] : undefined;
  // The fakes are TypeScript: let the next resolver (tsx) resolve them, so tsx also loads them.
  return nextResolve(fake ?? specifier, context);
}
