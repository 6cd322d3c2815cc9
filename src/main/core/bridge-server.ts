/**
 * The bridge's WebSocket server on 127.0.0.1. Everything is checked in the
 * HTTP upgrade, before a single WebSocket frame is accepted:
 *   - `Host` must name this loopback listener (DNS rebinding)   → 403
 *   - no `Origin` header at all (only browsers send one)         → 403
 *   - `Authorization: Bearer <token>`, compared in constant time → 401
 * Plain HTTP requests get 426, except the request links `GET /request/<id>`
 * (request-link-route.ts), which bring a window to the front and need no
 * token. Frames above `maxPayload` close only that connection (1009);
 * compression is off (no inflation bombs). At `maxConnections` a new
 * upgrade is refused (503) unless `makeRoom` drops a connection that has not
 * said hello yet: sockets that never speak cannot hold the server full.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { WebSocketServer, type WebSocket } from 'ws';

import { MAX_FRAME_BYTES } from '../../shared/bridge-protocol.js';
import { RequestLinkRoute, type RequestLinkOutcome } from './request-link-route.js';

export const BRIDGE_HOST = '127.0.0.1';
const DEFAULT_MAX_CONNECTIONS = 512;
/** How long a client may take to send its HTTP upgrade request. */
const UPGRADE_TIMEOUT_MS = 5_000;
/** How long shutdown waits for clients to answer the close frame. */
const CLOSE_WAIT_MS = 1_000;

export interface BridgeServerOptions {
  readonly token: string;
  readonly port?: number;
  readonly maxPayload?: number;
  readonly maxConnections?: number;
  readonly onConnection: (socket: WebSocket, ports: { clientPort: number; serverPort: number }) => void;
  /** Told about every refused upgrade (status and reason; never the presented token). */
  readonly onRefused?: (status: number, reason: string) => void;
  /**
   * Called when the server is full: drop one idle connection (one that has sent nothing yet) and
   * return true, or return false to refuse the new one (503). Default: refuse.
   */
  readonly makeRoom?: () => boolean;
  /** `GET /request/<id>`: bring that request's window to the front (default: every id is unknown). */
  readonly onRequestLink?: (id: string) => RequestLinkOutcome;
}

export class BridgeServer {
  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  get url(): string {
    return `ws://${BRIDGE_HOST}:${this.port}`;
  }

  get connectionCount(): number {
    return this.wss.clients.size;
  }

  static async listen(options: BridgeServerOptions): Promise<BridgeServer> {
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload ?? MAX_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: true,
    });
    // A local client sends its upgrade at once: one that trickles its headers (slowloris) is cut off after a few seconds.
    const links = new RequestLinkRoute({ onRequestLink: options.onRequestLink ?? (() => 'unknown') });
    let port = 0;
    const http = createServer({ headersTimeout: UPGRADE_TIMEOUT_MS, requestTimeout: UPGRADE_TIMEOUT_MS, connectionsCheckingInterval: 1_000 }, (request, response) => {
      if (links.handle(request, response, isLoopbackHost(request.headers.host ?? '', port))) return;
      response.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
      response.end('Keyhold bridge: WebSocket only.\n');
    });
    const expected = digest(options.token);
    http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      // Node removes its own error listener before 'upgrade': without this, a peer that resets
      // the connection while we refuse it (ECONNRESET) would crash the process.
      socket.on('error', () => socket.destroy());
      const full = wss.clients.size >= (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
      const refusal = checkUpgrade(request, port, expected, () => full && !(options.makeRoom?.() ?? false));
      if (refusal !== undefined) {
        options.onRefused?.(refusal.status, refusal.reason);
        refuse(socket, refusal.status, refusal.reason);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        options.onConnection(ws, { clientPort: socket.remotePort ?? 0, serverPort: port });
      });
    });
    http.on('clientError', (_error, socket: Socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, BRIDGE_HOST, () => {
        http.off('error', reject);
        resolve();
      });
    });
    port = (http.address() as AddressInfo).port;
    return new BridgeServer(http, wss, port);
  }

  /**
   * Closes every connection (1001 going away) and stops listening. A client
   * that does not answer the close within `CLOSE_WAIT_MS` is dropped, so a
   * stuck or hostile peer cannot hold up shutdown (ws alone would wait 30 s).
   */
  async close(): Promise<void> {
    for (const client of this.wss.clients) client.close(1001, 'Keyhold is shutting down');
    const closed = new Promise<void>((resolve) => this.wss.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    for (const client of this.wss.clients) client.terminate();
    await closed;
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

interface Refusal {
  readonly status: 401 | 403 | 404 | 503;
  readonly reason: string;
}

/** `isFull` is asked last, once the peer has shown the token: only then may it cost another client its idle slot. */
function checkUpgrade(request: IncomingMessage, port: number, expected: Buffer, isFull: () => boolean): Refusal | undefined {
  const host = request.headers.host ?? '';
  if (!isLoopbackHost(host, port)) return { status: 403, reason: 'Host must be this loopback listener.' };
  if (request.headers.origin !== undefined) return { status: 403, reason: 'Browsers may not connect to the Keyhold bridge.' };
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/' && path !== '') return { status: 404, reason: 'Unknown path.' };
  const authorization = request.headers.authorization ?? '';
  const presented = /^Bearer (\S+)$/.exec(authorization)?.[1];
  if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
    return { status: 401, reason: 'A valid bridge token is required (Authorization: Bearer <token from bridge.json>).' };
  }
  if (isFull()) return { status: 503, reason: 'Too many connections.' };
  return undefined;
}

/** Hashing both sides first gives equal-length buffers, so the compare leaks neither content nor length. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function isLoopbackHost(host: string, port: number): boolean {
  return host === `${BRIDGE_HOST}:${port}` || host === `localhost:${port}`;
}

const STATUS_TEXT: Record<Refusal['status'], string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

function refuse(socket: Socket, status: Refusal['status'], reason: string): void {
  const body = `${reason}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
