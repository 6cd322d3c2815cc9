/**
 * Limits that hold across bridge connections, so one token holder cannot take
 * what every client shares (SECURITY.md, "Resources and fairness"):
 *
 * - PendingPayloadBudget: the bytes of requests that wait for the user
 *   (`secrets.get/request/put/delete` frames), summed over ALL connections.
 *   A request is admitted while the total stays within `totalBytes`; past it
 *   the request is refused with `busy` and nothing else changes. Each
 *   connection may always hold `perConnectionBytes` of its own (far more than
 *   an honest prompt needs), so a flood from some connections cannot refuse
 *   every other client's small request. Worst case held: `totalBytes` +
 *   connections × `perConnectionBytes`. A reservation is released when its
 *   request settles, which a disconnect forces (its prompts are cancelled).
 *
 * - ProcessConnectionCap: connections per process identity, checked at
 *   `hello` once the peer has been identified. The identity is
 *   `connectionBucket(process)` — the one function to change when identity
 *   gets richer (process-identity.ts):
 *     verified peer   → its verified pid: at most `perProcess` connections;
 *     unverified peer → ONE shared bucket of at most `unverifiedTotal`.
 *   Unverified peers share a bucket rather than one per claimed pid because
 *   the claimed pid is the client's own word: a bucket per claim would let
 *   one process take every slot by claiming new pids. The shared bucket
 *   bounds what all unverifiable peers hold together, so verified peers
 *   (every client on Linux with /proc) always keep the rest. Where nothing
 *   can be verified (macOS, Windows today) every client is in that bucket.
 */
import { KeyholdError } from '../../shared/keyhold-error.js';
import type { ProcessInfo } from './prompter.js';

const KIB = 1024;
const MIB = 1024 * KIB;

export const DEFAULT_PENDING_PAYLOAD_BYTES = 16 * MIB;
export const DEFAULT_PENDING_PAYLOAD_PER_CONNECTION_BYTES = 64 * KIB;
export const DEFAULT_CONNECTIONS_PER_PROCESS = 64;
export const DEFAULT_UNVERIFIED_CONNECTIONS = 128;

/** Gives back what a reservation took; calling it again does nothing. */
export type Release = () => void;

export interface PendingPayloadOptions {
  readonly totalBytes?: number;
  readonly perConnectionBytes?: number;
}

export class PendingPayloadBudget {
  private used = 0;
  readonly totalBytes: number;
  readonly perConnectionBytes: number;

  constructor(options: PendingPayloadOptions = {}) {
    this.totalBytes = options.totalBytes ?? DEFAULT_PENDING_PAYLOAD_BYTES;
    this.perConnectionBytes = options.perConnectionBytes ?? DEFAULT_PENDING_PAYLOAD_PER_CONNECTION_BYTES;
  }

  /** Bytes of waiting requests held now, over all connections. */
  get usedBytes(): number {
    return this.used;
  }

  /** One connection's share of the budget. */
  account(): PendingPayloadAccount {
    let held = 0;
    return {
      get heldBytes() {
        return held;
      },
      reserve: (bytes) => {
        const withinOwnShare = held + bytes <= this.perConnectionBytes;
        if (!withinOwnShare && this.used + bytes > this.totalBytes) {
          throw new KeyholdError(
            'busy',
            `Keyhold already holds ${formatMib(this.used)} of requests waiting for the user from all clients (limit ${formatMib(this.totalBytes)}); try again when some are answered, or send a smaller request.`,
          );
        }
        held += bytes;
        this.used += bytes;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          held -= bytes;
          this.used -= bytes;
        };
      },
    };
  }
}

/** What one connection holds of the pending-payload budget. */
export interface PendingPayloadAccount {
  /** Bytes this connection's waiting requests hold now. */
  readonly heldBytes: number;
  /** Takes `bytes` for one waiting request, or throws `busy` (and takes nothing). */
  reserve(bytes: number): Release;
}

/** The identity a connection is counted under. Swap this when process identity changes. */
export function connectionBucket(process: ProcessInfo): string {
  return process.verified ? `pid:${process.pid}` : 'unverified';
}

export interface ProcessConnectionCapOptions {
  readonly perProcess?: number;
  readonly unverifiedTotal?: number;
  readonly bucketOf?: (process: ProcessInfo) => string;
}

export class ProcessConnectionCap {
  private readonly counts = new Map<string, number>();
  private readonly perProcess: number;
  private readonly unverifiedTotal: number;
  private readonly bucketOf: (process: ProcessInfo) => string;

  constructor(options: ProcessConnectionCapOptions = {}) {
    this.perProcess = options.perProcess ?? DEFAULT_CONNECTIONS_PER_PROCESS;
    this.unverifiedTotal = options.unverifiedTotal ?? DEFAULT_UNVERIFIED_CONNECTIONS;
    this.bucketOf = options.bucketOf ?? connectionBucket;
  }

  /** Connections counted now under each identity (for tests; no pids of anyone else's business leave the core). */
  countOf(process: ProcessInfo): number {
    return this.counts.get(this.bucketOf(process)) ?? 0;
  }

  /** Counts one more connection for the process, or throws `busy` (and counts nothing). */
  admit(process: ProcessInfo): Release {
    const bucket = this.bucketOf(process);
    const count = this.counts.get(bucket) ?? 0;
    const cap = process.verified ? this.perProcess : this.unverifiedTotal;
    if (count >= cap) {
      throw new KeyholdError(
        'busy',
        process.verified
          ? `Process ${process.pid} already holds ${cap} Keyhold connections, the most one process may hold; close some first.`
          : `Unverified clients already hold ${cap} Keyhold connections, the most they may hold together; close some first.`,
      );
    }
    this.counts.set(bucket, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(bucket) ?? 1) - 1;
      if (left > 0) this.counts.set(bucket, left);
      else this.counts.delete(bucket);
    };
  }
}

function formatMib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}
