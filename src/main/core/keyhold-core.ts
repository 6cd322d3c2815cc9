/**
 * The core, assembled: vault + grants + broker + activity log behind the
 * bridge server, and the discovery file that lets MCP servers find it.
 * The Electron app, `keyhold serve` and the tests all start it this way and
 * differ only in the prompter they pass.
 */
import { randomBytes } from 'node:crypto';

import { ActivityLog } from './activity-log.js';
import { ClientConnection, type RequestObserver } from './client-connection.js';
import { PendingPayloadBudget, ProcessConnectionCap, type PendingPayloadOptions, type ProcessConnectionCapOptions } from './connection-limits.js';
import { preparePrivateDataDir } from './data-dir-guard.js';
import { BridgeServer } from './bridge-server.js';
import { Broker } from './broker.js';
import { RefusalLog } from './refusal-log.js';
import { isKeyholdAnswering, readDiscoveryFile, removeDiscoveryFile, writeDiscoveryFile } from './discovery-file.js';
import { GrantStore } from './grants.js';
import { createSystemKeychain, type Keychain } from './keychain.js';
import { identifyPeer } from './process-identity.js';
import { nodeProcFs, type ProcFs } from './proc-fs.js';
import type { Prompter } from './prompter.js';
import { SecretAccess, type ClientSession } from './secret-access.js';
import { SecretChanges } from './secret-changes.js';
import { RuleStore } from './rules.js';
import { SettingsStore } from './settings-store.js';
import { SocketHolderIndex } from './socket-holders.js';
import { GrantValueCache } from './value-cache.js';
import { Vault, type ReconcileReport } from './vault.js';
import { KeyholdError } from '../../shared/keyhold-error.js';

export interface CoreOptions {
  readonly dataDir: string;
  readonly prompter: Prompter;
  readonly appVersion: string;
  /** Default: the OS keychain. */
  readonly keychain?: Keychain;
  /** Default 0: the OS picks a free port. */
  readonly port?: number;
  readonly grantTtlMs?: number;
  /**
   * Default true: values read under an "Allow for session" grant are kept in
   * memory until the grant ends (value-cache.ts; SECURITY.md). False sends
   * every read to the keychain.
   */
  readonly cacheGrantedValues?: boolean;
  readonly requestTimeoutMs?: number;
  readonly maxQueuedPerServer?: number;
  /** Default true. Off for in-process tests that connect with url + token directly. */
  readonly writeDiscoveryFile?: boolean;
  readonly now?: () => number;
  /** Sees every request of every session before it is handled (the test kit's record of calls). */
  readonly onRequest?: RequestObserver;
  /** Bytes of requests waiting for the user over all connections (connection-limits.ts; defaults there). */
  readonly pendingPayload?: PendingPayloadOptions;
  /** Connections per process identity (connection-limits.ts; defaults there). */
  readonly processConnections?: Omit<ProcessConnectionCapOptions, 'bucketOf'>;
  /** Default 512. */
  readonly maxConnections?: number;
  /** How /proc is read to identify connections (default: the file system; tests count the reads). */
  readonly procFs?: ProcFs;
  /** Operational messages (never values): refused upgrades (rate-limited, refusal-log.ts), reconcile results. */
  readonly log?: (message: string) => void;
}

export interface KeyholdCore {
  readonly url: string;
  readonly token: string;
  readonly dataDir: string;
  readonly vault: Vault;
  readonly grants: GrantStore;
  readonly broker: Broker;
  readonly activity: ActivityLog;
  readonly rules: RuleStore;
  readonly settings: SettingsStore;
  /** Every change to secrets, grants and rules, and every activity line (secret-changes.ts). Read the stores above; change them only here. */
  readonly changes: SecretChanges;
  readonly reconcileReport: ReconcileReport;
  /** Connected servers (after hello). */
  sessions(): ClientSession[];
  /** Bytes of requests waiting for the user now, over all connections (never their content). */
  pendingPayloadBytes(): number;
  /** Answers pending requests `cancelled`, closes connections, writes what is unwritten, removes bridge.json. */
  stop(): Promise<void>;
}

export async function startCore(options: CoreOptions): Promise<KeyholdCore> {
  const { dataDir } = options;
  const log = options.log ?? (() => undefined);
  // Created 0700 when missing; refused (invalid_request, with the fix) when another user could write in it.
  await preparePrivateDataDir(dataDir);
  const writeDiscovery = options.writeDiscoveryFile ?? true;
  if (writeDiscovery) await refuseSecondInstance(dataDir);

  const now = options.now ?? Date.now;
  const vault = await Vault.open({ dataDir, keychain: options.keychain ?? createSystemKeychain(), now });
  const report = vault.reconcileReport;
  if (report.recovered + report.dropped + report.settled > 0 || report.quarantinedTo !== undefined) {
    log(`index reconciled with the keychain: ${report.settled} interrupted writes settled, ${report.recovered} entries recovered, ${report.dropped} stale entries dropped`);
  }
  if (report.quarantinedTo !== undefined) log(`index.json was unreadable and was moved to ${report.quarantinedTo}`);

  const rules = await RuleStore.open(dataDir, now);
  const settings = await SettingsStore.open(dataDir);
  const grants = new GrantStore({ now, ttlMs: options.grantTtlMs ?? settings.get().grantTtlMinutes * 60_000 });
  const broker = new Broker({
    prompter: options.prompter,
    now,
    timeoutMs: options.requestTimeoutMs,
    maxQueuedPerServer: options.maxQueuedPerServer,
  });
  const activity = new ActivityLog({ dataDir, now, log });
  const cache = options.cacheGrantedValues === false ? undefined : new GrantValueCache({ grants, onVaultWrite: (listener) => vault.onWrite(listener) });
  const changes = new SecretChanges({ vault, grants, rules, activity, settings });
  const sessions = new Map<string, ClientSession>();
  const access = new SecretAccess({ vault, grants, broker, rules, changes, cache, sessions: () => [...sessions.values()] });
  const connections = new Set<ClientConnection>();
  const pendingPayload = new PendingPayloadBudget(options.pendingPayload);
  const processCap = new ProcessConnectionCap(options.processConnections);
  const procFs = options.procFs ?? nodeProcFs;
  // One index for every connection: concurrent hellos share their /proc scans (socket-holders.ts).
  const holders = new SocketHolderIndex(procFs);
  const identify = (claimedPid: number, ports: { clientPort: number; serverPort: number }) => identifyPeer(claimedPid, ports, { fs: procFs, holders });

  // Any local process can knock without the token as often as it likes: those lines are summarised.
  const refusals = new RefusalLog({ log });
  const token = randomBytes(32).toString('base64url');
  const server = await BridgeServer.listen({
    token,
    port: options.port,
    maxConnections: options.maxConnections,
    // Full: drop the oldest connection that has not said hello (insertion order is age).
    makeRoom: () => {
      for (const connection of connections) {
        if (connection.saidHello) continue;
        connections.delete(connection);
        connection.terminate();
        return true;
      }
      return false;
    },
    onRefused: (status, reason) => refusals.refused(status, reason),
    onRequestLink: (id) => {
      const state = broker.linkState(id);
      if (state !== 'showing') return state;
      broker.focus(id);
      return options.prompter.focus === undefined ? 'elsewhere' : 'focused';
    },
    onConnection: (socket, ports) => {
      const connection = new ClientConnection(socket, ports, {
        access,
        changes,
        appVersion: options.appVersion,
        identify,
        onRequest: options.onRequest,
        pendingPayload,
        processCap,
        onSession: (session, open) => (open ? sessions.set(session.sessionId, session) : sessions.delete(session.sessionId)),
      });
      connections.add(connection);
      socket.once('close', () => connections.delete(connection));
    },
  });
  if (writeDiscovery) await writeDiscoveryFile(dataDir, { url: server.url, token, pid: process.pid, version: options.appVersion });

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    token,
    dataDir,
    vault,
    grants,
    broker,
    activity,
    rules,
    settings,
    changes,
    reconcileReport: report,
    sessions: () => [...sessions.values()],
    pendingPayloadBytes: () => pendingPayload.usedBytes,
    stop: () =>
      (stopping ??= (async () => {
        broker.close();
        cache?.close();
        grants.dispose();
        // Let every cancelled request send its `cancelled` reply before the sockets close.
        await Promise.race([Promise.all([...connections].map((c) => c.drain())), delay(2_000)]);
        await server.close();
        refusals.flush();
        if (writeDiscovery) await removeDiscoveryFile(dataDir, token);
        await vault.flush().catch(() => undefined);
        await activity.flush();
      })()),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function refuseSecondInstance(dataDir: string): Promise<void> {
  const existing = await readDiscoveryFile(dataDir).catch(() => undefined);
  if (existing !== undefined && existing.pid !== process.pid && (await isKeyholdAnswering(existing))) {
    throw new KeyholdError(
      'busy',
      `Keyhold is already running for ${dataDir} (pid ${existing.pid}, ${existing.url}). Stop it first, or use another KEYHOLD_HOME.`,
    );
  }
}
