/**
 * The few reads of /proc that process identification needs, behind an
 * interface: the app passes the real file system, tests a counting or fake one
 * (proc_scan_flood counts directory reads instead of timing them).
 */
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';

export interface ProcFs {
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  /** UTF-8 text of a file (short /proc files: cmdline, stat, environ, net/tcp). */
  readFile(path: string): Promise<string>;
  realpath(path: string): Promise<string>;
}

export const nodeProcFs: ProcFs = {
  readdir: (path) => readdir(path),
  readlink: (path) => readlink(path),
  readFile: (path) => readFile(path, 'utf8'),
  realpath: (path) => realpath(path),
};

/** argv of a process (NUL-separated /proc/<pid>/cmdline), or undefined when it cannot be read. */
export async function readArgv(fs: ProcFs, pid: number): Promise<string[] | undefined> {
  const raw = await fs.readFile(`/proc/${pid}/cmdline`).catch(() => undefined);
  if (raw === undefined) return undefined;
  const argv = raw.split('\0');
  if (argv.at(-1) === '') argv.pop();
  return argv;
}

/** The parent pid from /proc/<pid>/stat (the field after the state, past the `(comm)` that may hold spaces or parentheses). */
export async function readParentPid(fs: ProcFs, pid: number): Promise<number | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`).catch(() => undefined);
  const afterComm = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(afterComm?.[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}
