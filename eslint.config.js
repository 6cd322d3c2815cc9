// Lint rules, including the project's own boundaries:
//  - src/main/core and src/bridge never import electron (the core runs on plain Node);
//  - only the IPC wrapper modules may touch ipcMain / ipcRenderer;
//  - no `any` in our code; no floating promises in src/, test/ and bench/ (type-aware: a promise must be
//    awaited, returned, or explicitly dropped with `void` where nothing can reject it
//    or the rejection is handled).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noElectron = {
  paths: [{ name: 'electron', message: 'The core and the bridge run on plain Node: keep electron in src/main/electron.' }],
  patterns: [{ group: ['**/electron/**', '../electron/*'], message: 'The core must not depend on the Electron adapter.' }],
};

// ipcMain / ipcRenderer only in their wrappers (every call then passes the
// trusted-sender check in main, and the contract-shaped API in the preload).
const IPC_WRAPPERS = ['src/main/electron/ipc-router.ts', 'src/preload/ipc-renderer-transport.ts'];
const ipcOnlyInWrappers = 'Only src/main/electron/ipc-router.ts and src/preload/ipc-renderer-transport.ts may touch ipcMain / ipcRenderer.';
const noRawIpc = {
  'no-restricted-imports': ['error', { paths: [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: ipcOnlyInWrappers }] }],
  'no-restricted-syntax': [
    'error',
    { selector: 'MemberExpression[property.name=/^ipc(Main|Renderer)$/]', message: ipcOnlyInWrappers },
    { selector: 'ObjectPattern > Property[key.name=/^ipc(Main|Renderer)$/]', message: ipcOnlyInWrappers },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'src/bridge/dist/', 'test-artifacts/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
      // Records keyed by server / secret name are dictionaries; deleting a key is the point.
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
    },
  },
  { files: ['src/main/core/**/*.ts', 'src/bridge/**/*.ts', 'src/shared/**/*.ts', 'src/main/cli/**/*.ts'], rules: { 'no-restricted-imports': ['error', noElectron] } },
  { files: ['src/main/electron/**/*.ts', 'src/preload/**/*.ts', 'src/renderer/**/*.{ts,tsx}'], ignores: IPC_WRAPPERS, rules: noRawIpc },
  { files: ['src/renderer/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['**/*.mjs', '**/*.js'], rules: { '@typescript-eslint/consistent-type-imports': 'off' } },
);
