/**
 * Finds every call of a mutating method of the core's stores (vault, grants,
 * rules, activity log, settings) in the source tree, with the type checker:
 * a call through any alias, destructured variable or `Pick<…>` still resolves
 * to the method's declaration in its class. Used by secret-changes.test.ts
 * to keep those calls inside the use-case layer.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

import ts from 'typescript';

/** Class (by file) → the methods that change its state. */
export const MUTATING_METHODS: Readonly<Record<string, { readonly className: string; readonly methods: readonly string[] }>> = {
  'src/main/core/vault.ts': { className: 'Vault', methods: ['put', 'remove', 'invalidate', 'markUsed'] },
  'src/main/core/grants.ts': { className: 'GrantStore', methods: ['grant', 'revoke', 'revokeAll', 'revokeNames', 'endSession', 'setTtl'] },
  'src/main/core/rules.ts': { className: 'RuleStore', methods: ['add', 'remove', 'removeFor'] },
  'src/main/core/activity-log.ts': { className: 'ActivityLog', methods: ['append'] },
  'src/main/core/settings-store.ts': { className: 'SettingsStore', methods: ['update'] },
};

export interface StoreMutation {
  readonly file: string;
  readonly line: number;
  readonly call: string;
}

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !relative(root, path).split('\\').join('/').startsWith('src/bridge/dist/'));
}

/** Every call of a mutating store method in src/, except inside the store's own file. `extra` adds files (path → text) for a self-test. */
export function findStoreMutations(root: string, extra: Readonly<Record<string, string>> = {}): StoreMutation[] {
  const rel = (path: string): string => relative(root, path).split('\\').join('/');
  const extraFiles = new Map(Object.entries(extra).map(([path, text]) => [join(root, path), text]));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    jsx: ts.JsxEmit.ReactJSX,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (path) => extraFiles.get(path) ?? readFile(path);
  host.fileExists = (path) => extraFiles.has(path) || fileExists(path);
  const rootNames = [...sourceFiles(root, 'src/main'), ...sourceFiles(root, 'src/bridge'), ...extraFiles.keys()];
  const program = ts.createProgram({ rootNames, options, host });
  const checker = program.getTypeChecker();
  const found: StoreMutation[] = [];
  for (const source of program.getSourceFiles()) {
    const file = rel(source.fileName);
    if (!file.startsWith('src/')) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const symbol = checker.getSymbolAtLocation(node.expression.name);
        for (const declaration of symbol?.declarations ?? []) {
          const owner = MUTATING_METHODS[rel(declaration.getSourceFile().fileName)];
          const parent = declaration.parent;
          const className = ts.isClassDeclaration(parent) ? parent.name?.text : undefined;
          if (owner === undefined || className !== owner.className || !owner.methods.includes(node.expression.name.text)) continue;
          if (rel(declaration.getSourceFile().fileName) === file) continue;
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          found.push({ file, line: line + 1, call: `${owner.className}.${node.expression.name.text}` });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
