/**
 * Who is on the other end of a bridge connection. The client says its pid in
 * `hello`, but a client can say anything; on Linux we ask the kernel instead:
 * the TCP connection's inode in /proc/net/tcp{,6}, then the process holding a
 * file descriptor to that socket, then its executable and command line.
 * Elsewhere the claimed pid is shown and marked unverified.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

import type { ProcessInfo } from './prompter.js';

export interface SocketPorts {
  /** The client's port (the remote end, seen from the app). */
  readonly clientPort: number;
  /** The app's listening port. */
  readonly serverPort: number;
}

export async function identifyPeer(claimedPid: number, ports: SocketPorts, platform = process.platform): Promise<ProcessInfo> {
  if (platform === 'linux') {
    try {
      const inode = await findSocketInode(ports);
      const pid = inode === undefined ? undefined : await findPidHoldingSocket(inode, claimedPid);
      if (pid !== undefined) return { claimedPid, pid, verified: true, ...(await describeProcess(pid)) };
    } catch {
      // /proc unreadable (hardened kernel, container): fall through to the claim.
    }
  }
  return { claimedPid, pid: claimedPid, verified: false };
}

async function findSocketInode(ports: SocketPorts): Promise<string | undefined> {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const local = portOf(columns[1]);
      const remote = portOf(columns[2]);
      const inode = columns[9];
      if (local === ports.clientPort && remote === ports.serverPort && inode !== undefined && inode !== '0') return inode;
    }
  }
  return undefined;
}

function portOf(address: string | undefined): number | undefined {
  const hex = address?.split(':')[1];
  return hex === undefined ? undefined : Number.parseInt(hex, 16);
}

/** Looks at the claimed pid first (the common, honest case), then at every process we may inspect. */
async function findPidHoldingSocket(inode: string, claimedPid: number): Promise<number | undefined> {
  const target = `socket:[${inode}]`;
  if (await holdsSocket(claimedPid, target)) return claimedPid;
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
  for (const pid of pids) {
    if (pid !== claimedPid && (await holdsSocket(pid, target))) return pid;
  }
  return undefined;
}

async function holdsSocket(pid: number, target: string): Promise<boolean> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === target) return true;
  }
  return false;
}

async function describeProcess(pid: number): Promise<{ executable?: string; commandLine?: string }> {
  const executable = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  const commandLine = cmdline?.split('\0').filter(Boolean).join(' ').slice(0, 500);
  return {
    executable,
    ...(commandLine === undefined || commandLine === '' ? {} : { commandLine }),
  };
}
