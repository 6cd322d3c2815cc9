/**
 * A deliberately thin protocol client for transport tests: raw frames in and
 * out, no retries, no parsing beyond JSON. The real client (@keyhold/bridge)
 * is tested elsewhere; here we need to send what a real client never would.
 */
import WebSocket from 'ws';

export interface RawFrame {
  readonly id?: string | null;
  readonly ok?: boolean;
  readonly result?: Record<string, unknown>;
  readonly error?: { code: string; message: string };
  readonly event?: string;
  readonly data?: Record<string, unknown>;
}

export class RawBridgeClient {
  readonly frames: RawFrame[] = [];
  private readonly listeners: Array<() => void> = [];
  closeCode: number | undefined;
  private counter = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as RawFrame);
      for (const listener of this.listeners.splice(0)) listener();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const listener of this.listeners.splice(0)) listener();
    });
  }

  static connect(url: string, token: string, headers: Record<string, string> = {}): Promise<RawBridgeClient> {
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}`, ...headers }, maxPayload: 8 * 1024 * 1024 });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawBridgeClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and says hello as `server`. */
  static async hello(url: string, token: string, server: string): Promise<RawBridgeClient> {
    const client = await RawBridgeClient.connect(url, token);
    const reply = await client.call('hello', { protocol: 1, server: { name: server }, process: { pid: process.pid } });
    if (reply.ok !== true) throw new Error(`hello failed: ${JSON.stringify(reply.error)}`);
    return client;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  send(type: string, params: unknown, id = `r${++this.counter}`): string {
    this.socket.send(JSON.stringify({ id, type, params }));
    return id;
  }

  async call(type: string, params: unknown, id?: string): Promise<RawFrame> {
    return this.reply(this.send(type, params, id));
  }

  /** The reply frame for an id (or null id), waiting for it. */
  reply(id: string | null): Promise<RawFrame> {
    return this.waitFor((frame) => frame.event === undefined && frame.id === id);
  }

  pending(id: string): Promise<RawFrame> {
    return this.waitFor((frame) => frame.event === 'pending' && frame.data?.['id'] === id);
  }

  waitFor(match: (frame: RawFrame) => boolean, timeoutMs = 10_000): Promise<RawFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame within the time limit')), timeoutMs);
      const check = (): void => {
        const index = this.frames.findIndex(match);
        if (index >= 0) {
          clearTimeout(timer);
          resolve(this.frames.splice(index, 1)[0] as RawFrame);
        } else if (this.closeCode !== undefined) {
          clearTimeout(timer);
          reject(new Error(`connection closed (${this.closeCode}) before a matching frame`));
        } else this.listeners.push(check);
      };
      check();
    });
  }

  closed(): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.socket.once('close', (code) => resolve(code)));
  }

  close(): void {
    this.socket.close();
  }
}
