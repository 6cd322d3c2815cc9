/**
 * What an interpreter runs, from its argv: the entry script (not just
 * argv[1]: interpreter flags such as `--import x`, `-W ignore`, `-m module`
 * come first), the code it preloads, and for package runners (npx, npm exec,
 * uvx, uv tool run, bunx) the package. Pure: process-identity.ts reads argv
 * from /proc and resolves the paths.
 *
 * argv comes from /proc/<pid>/cmdline, which the process can rewrite
 * (`process.title`, setproctitle). A rewrite leaves one argument that is the
 * whole title; when argv[0] does not name the interpreter the executable is,
 * the script is reported unknown (`rewritten`) rather than guessed.
 */

export type InterpreterFamily = 'node' | 'python' | 'deno' | 'bun' | 'uv';

export type EntryScript =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'module'; readonly name: string }
  | { readonly kind: 'inline'; readonly code: string }
  | { readonly kind: 'package'; readonly spec: string }
  | { readonly kind: 'stdin' };

export interface LaunchInfo {
  readonly family: InterpreterFamily;
  readonly script: EntryScript;
  /** Paths or module names loaded before the script (`--import`, `-r`, `--preload`), as written. */
  readonly preloads: readonly string[];
}

export type LaunchParse = LaunchInfo | { readonly family: InterpreterFamily; readonly rewritten: true } | undefined;

/** The interpreter family of an executable path (after realpath), or undefined for a native program. */
export function interpreterFamily(executable: string): InterpreterFamily | undefined {
  const name = executable.split('/').pop() ?? '';
  if (/^(node|nodejs)(\d+)?$/.test(name)) return 'node';
  if (/^(python|pypy)(\d+(\.\d+)*)?t?$/.test(name)) return 'python';
  if (name === 'deno') return 'deno';
  if (name === 'bun') return 'bun';
  if (name === 'uv' || name === 'uvx') return 'uv';
  return undefined;
}

/** argv[0] as run names the interpreter (`node`, `/usr/bin/python3`, `.venv/bin/python`, `uvx`, `bunx`). */
function argv0Matches(family: InterpreterFamily, argv0: string): boolean {
  const name = argv0.split('/').pop() ?? '';
  if (/\s/.test(argv0)) return false;
  switch (family) {
    case 'node':
      return /^(node|nodejs)[\d.]*$/.test(name);
    case 'python':
      return /^(python|pypy)[\d.]*t?$/.test(name);
    case 'deno':
      return name === 'deno';
    case 'bun':
      return name === 'bun' || name === 'bunx';
    case 'uv':
      return name === 'uv' || name === 'uvx';
  }
}

export function parseLaunch(executable: string, argv: readonly string[]): LaunchParse {
  const family = interpreterFamily(executable);
  if (family === undefined) return undefined;
  const argv0 = argv[0];
  if (argv0 === undefined || !argv0Matches(family, argv0)) return { family, rewritten: true };
  const args = argv.slice(1);
  switch (family) {
    case 'node':
      return nodeLaunch(args);
    case 'python':
      return pythonLaunch(args);
    case 'deno':
      return denoLaunch(args);
    case 'bun':
      return (argv0.split('/').pop() ?? '') === 'bunx' ? packageLaunch('bun', args, BUN_VALUE_FLAGS) : bunLaunch(args);
    case 'uv':
      return uvLaunch((argv0.split('/').pop() ?? '') === 'uvx', args);
  }
}

const NODE_PRELOAD_FLAGS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
const NODE_VALUE_FLAGS = new Set([...NODE_PRELOAD_FLAGS, '-C', '--conditions', '--input-type', '--title', '--env-file', '--inspect-port', '--stack-size', '--max-old-space-size', '--openssl-config', '--icu-data-dir', '--redirect-warnings', '--experimental-default-type', '--watch-path']);
const NODE_INLINE_FLAGS = new Set(['-e', '--eval', '-p', '--print']);

function nodeLaunch(args: readonly string[]): LaunchInfo {
  const preloads: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') return { family: 'node', script: fileOrStdin(args[i + 1]), preloads };
    const [flag, inlineValue] = splitOption(arg);
    if (NODE_INLINE_FLAGS.has(flag)) return { family: 'node', script: { kind: 'inline', code: inlineValue ?? args[i + 1] ?? '' }, preloads };
    if (NODE_VALUE_FLAGS.has(flag)) {
      const value = inlineValue ?? args[(i += 1)];
      if (NODE_PRELOAD_FLAGS.has(flag) && value !== undefined) preloads.push(value);
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') continue;
    return { family: 'node', script: fileOrStdin(arg), preloads };
  }
  return { family: 'node', script: { kind: 'stdin' }, preloads };
}

/** Python options: `-c cmd` and `-m mod` end the options; `-W arg`, `-X opt` take a value; letters combine (`-uBm mod`). */
function pythonLaunch(args: readonly string[]): LaunchInfo {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') return { family: 'python', script: fileOrStdin(args[i + 1]), preloads: [] };
    if (arg === '--check-hash-based-pycs') {
      i += 1;
      continue;
    }
    if (arg.startsWith('--')) continue;
    if (!arg.startsWith('-') || arg === '-') return { family: 'python', script: fileOrStdin(arg), preloads: [] };
    for (let j = 1; j < arg.length; j += 1) {
      const letter = arg[j];
      const rest = arg.slice(j + 1);
      if (letter === 'c' || letter === 'm') {
        const value = rest !== '' ? rest : (args[i + 1] ?? '');
        return { family: 'python', script: letter === 'c' ? { kind: 'inline', code: value } : { kind: 'module', name: value }, preloads: [] };
      }
      if (letter === 'W' || letter === 'X') {
        if (rest === '') i += 1;
        break;
      }
    }
  }
  return { family: 'python', script: { kind: 'stdin' }, preloads: [] };
}

const DENO_VALUE_FLAGS = new Set(['-c', '--config', '--import-map', '--lock', '--cert', '--location', '--seed', '--env-file', '--preload', '--ext']);

function denoLaunch(args: readonly string[]): LaunchInfo {
  const rest = args[0] === 'run' || args[0] === 'serve' ? args.slice(1) : args;
  if (args[0] === 'eval') return { family: 'deno', script: { kind: 'inline', code: args.slice(1).filter((a) => !a.startsWith('-')).join(' ') }, preloads: [] };
  return scriptAfterFlags('deno', rest, DENO_VALUE_FLAGS, new Set(['--preload']));
}

const BUN_VALUE_FLAGS = new Set(['--cwd', '-r', '--preload', '-c', '--config', '--env-file', '--tsconfig-override', '--conditions']);

function bunLaunch(args: readonly string[]): LaunchInfo {
  if (args[0] === 'x') return packageLaunch('bun', args.slice(1), BUN_VALUE_FLAGS);
  if (args[0] === '-e' || args[0] === '--eval') return { family: 'bun', script: { kind: 'inline', code: args[1] ?? '' }, preloads: [] };
  const rest = args[0] === 'run' ? args.slice(1) : args;
  return scriptAfterFlags('bun', rest, BUN_VALUE_FLAGS, new Set(['-r', '--preload']));
}

const UV_VALUE_FLAGS = new Set(['--from', '--with', '--with-editable', '--with-requirements', '-p', '--python', '--index', '--index-url', '--extra-index-url', '--directory', '--project', '--env-file', '-w']);

function uvLaunch(isUvx: boolean, args: readonly string[]): LaunchInfo {
  if (isUvx) return packageLaunch('uv', args, UV_VALUE_FLAGS, '--from');
  if (args[0] === 'tool' && (args[1] === 'run' || args[1] === 'uvx')) return packageLaunch('uv', args.slice(2), UV_VALUE_FLAGS, '--from');
  if (args[0] === 'run') return scriptAfterFlags('uv', args.slice(1), UV_VALUE_FLAGS, new Set());
  return { family: 'uv', script: { kind: 'stdin' }, preloads: [] };
}

/** npx / `npm exec` (node running npm's CLI): the package it runs, `-p/--package` first. */
export function npxPackage(args: readonly string[]): string | undefined {
  const launch = packageLaunch('node', args, new Set(['-p', '--package', '-c', '--call', '--registry', '--cache', '--userconfig', '-w', '--workspace']), '--package', '-p');
  return launch.script.kind === 'package' ? launch.script.spec : undefined;
}

/** The package a runner runs: the value of `fromFlag` when given, else the first positional. */
function packageLaunch(family: InterpreterFamily, args: readonly string[], valueFlags: ReadonlySet<string>, ...fromFlags: string[]): LaunchInfo {
  let spec: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const [flag, inlineValue] = splitOption(arg);
    if (arg === '--') {
      spec ??= args[i + 1];
      break;
    }
    if (valueFlags.has(flag)) {
      const value = inlineValue ?? args[(i += 1)];
      if (fromFlags.includes(flag)) spec ??= value;
      continue;
    }
    if (arg.startsWith('-')) continue;
    spec ??= arg;
    break;
  }
  return { family, script: spec === undefined ? { kind: 'stdin' } : { kind: 'package', spec }, preloads: [] };
}

function scriptAfterFlags(family: InterpreterFamily, args: readonly string[], valueFlags: ReadonlySet<string>, preloadFlags: ReadonlySet<string>): LaunchInfo {
  const preloads: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const [flag, inlineValue] = splitOption(arg);
    if (arg === '--') return { family, script: fileOrStdin(args[i + 1]), preloads };
    if (valueFlags.has(flag)) {
      const value = inlineValue ?? args[(i += 1)];
      if (preloadFlags.has(flag) && value !== undefined) preloads.push(value);
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') continue;
    return { family, script: fileOrStdin(arg), preloads };
  }
  return { family, script: { kind: 'stdin' }, preloads };
}

function fileOrStdin(arg: string | undefined): EntryScript {
  return arg === undefined || arg === '-' ? { kind: 'stdin' } : { kind: 'file', path: arg };
}

/** `--flag=value` → [`--flag`, `value`]; anything else → [arg, undefined]. */
function splitOption(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined];
  const at = arg.indexOf('=');
  return at < 0 ? [arg, undefined] : [arg.slice(0, at), arg.slice(at + 1)];
}
