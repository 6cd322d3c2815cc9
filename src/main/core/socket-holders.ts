/**
 * Which processes hold the socket of a bridge connection (Linux /proc).
 *
 * Every holder, not just the first: a process can open the connection, fork
 * a child (or pass the descriptor over a Unix socket) and claim the child's
 * pid. So every hello needs a look at every process's descriptors — a full
 * /proc scan (about 100 ms on a busy desktop). To keep that affordable when a
 * client floods hellos, scans are shared:
 *   - one scan runs at a time, and everyone who asks while it runs waits for
 *     the next one, which then serves them all (a scan that started before a
 *     connection existed could miss who holds it, so it cannot serve it);
 *   - a scan reads the TCP tables once and looks only for the sockets of the
 *     connections waiting for it (bounded memory: MAX_WAITING lookups per scan).
 * So N hellos arriving together cost at most two scans, whatever pids they
 * claim, and an honest hello waits for at most two scans behind a flood.
 * Threads never count twice: /proc lists thread-group leaders, and holders are
 * deduplicated by that pid.
 */
import type { ProcFs } from './proc-fs.js';

export interface SocketPorts {
  /** The client's port (the remote end, seen from the app). */
  readonly clientPort: number;
  /** The app's listening port. */
  readonly serverPort: number;
}

export type HolderLookup =
  | { readonly found: true; readonly inode: string; readonly pids: readonly number[] }
  | { readonly found: false; readonly why: 'socket_not_found' | 'proc_unreadable' };

/** Processes whose descriptors are read at once during a scan. */
const PARALLEL_PROCESSES = 8;
/** Lookups one scan serves at most; more wait for the following scan. */
const MAX_WAITING = 1024;

interface Waiter {
  readonly ports: SocketPorts;
  readonly resolve: (lookup: HolderLookup) => void;
}

export class SocketHolderIndex {
  private waiting: Waiter[] = [];
  private scanning = false;
  /** Full scans run so far (the flood test and the bench read it). */
  scans = 0;

  constructor(private readonly fs: ProcFs) {}

  /** The processes holding the connection's socket, from a scan that starts after this call. */
  holders(ports: SocketPorts): Promise<HolderLookup> {
    return new Promise((resolve) => {
      this.waiting.push({ ports, resolve });
      this.pump();
    });
  }

  private pump(): void {
    if (this.scanning || this.waiting.length === 0) return;
    this.scanning = true;
    const batch = this.waiting.splice(0, MAX_WAITING);
    void this.scan(batch)
      .catch((): void => {
        for (const waiter of batch) waiter.resolve({ found: false, why: 'proc_unreadable' });
      })
      .finally(() => {
        this.scanning = false;
        this.pump();
      });
  }

  private async scan(batch: readonly Waiter[]): Promise<void> {
    this.scans += 1;
    const inodes = await this.socketInodes(batch);
    const targets = new Map<string, Set<number>>();
    for (const inode of inodes.values()) targets.set(`socket:[${inode}]`, new Set());
    if (targets.size > 0) await this.findHolders(targets);
    for (const waiter of batch) {
      const inode = inodes.get(portKey(waiter.ports));
      const pids = inode === undefined ? undefined : targets.get(`socket:[${inode}]`);
      if (inode === undefined || pids === undefined || pids.size === 0) waiter.resolve({ found: false, why: 'socket_not_found' });
      else waiter.resolve({ found: true, inode, pids: [...pids].sort((a, b) => a - b) });
    }
  }

  /** The inode of each waiting connection, read from /proc/net/tcp{,6} once for the batch. */
  private async socketInodes(batch: readonly Waiter[]): Promise<Map<string, string>> {
    const wanted = new Set(batch.map((waiter) => portKey(waiter.ports)));
    const found = new Map<string, string>();
    let readable = false;
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await this.fs.readFile(table).catch(() => undefined);
      if (text === undefined) continue;
      readable = true;
      for (const line of text.split('\n').slice(1)) {
        const columns = line.trim().split(/\s+/);
        const key = `${portOf(columns[1])}:${portOf(columns[2])}`;
        const inode = columns[9];
        if (wanted.has(key) && inode !== undefined && inode !== '0') found.set(key, inode);
      }
    }
    if (!readable) throw new Error('/proc/net/tcp is unreadable');
    return found;
  }

  /**
   * Every process whose descriptors we may read, once; each descriptor that is
   * a wanted socket adds its process. Processes are read PARALLEL_PROCESSES at
   * a time (the reads go to libuv's thread pool), their descriptors together.
   */
  private async findHolders(targets: Map<string, Set<number>>): Promise<void> {
    const pids = (await this.fs.readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let pid = pids[next++]; pid !== undefined; pid = pids[next++]) {
        const fds = await this.fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
        const links = await Promise.all(fds.map((fd) => this.fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
        for (const link of links) targets.get(link)?.add(Number(pid));
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_PROCESSES }, worker));
  }
}

function portKey(ports: SocketPorts): string {
  return `${ports.clientPort}:${ports.serverPort}`;
}

function portOf(address: string | undefined): number | undefined {
  const hex = address?.split(':')[1];
  return hex === undefined ? undefined : Number.parseInt(hex, 16);
}
