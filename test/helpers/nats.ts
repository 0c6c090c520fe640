// Test fixtures for the embedded NATS server: a server on 127.0.0.1 and a
// free port, and a raw protocol client that sends bytes and waits for
// lines, the way nats-server's black-box tests (test/test.go) do.

import { connect, type Socket } from 'node:net';
import { NatsServer } from '../../src/nats/server.js';
import { defaultNatsOptions, type NatsOptions } from '../../src/nats/options.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';

export async function startServer(over: Partial<NatsOptions> = {}, log: Logger = silentLogger): Promise<NatsServer> {
  const opts = { ...defaultNatsOptions(), host: '127.0.0.1', port: 0, ...over };
  const s = new NatsServer(opts, log);
  await s.start();
  return s;
}

/**
 * How long expect() waits before failing with what it did receive: long,
 * since only a failing test waits it out and a loaded machine is slow.
 */
const EXPECT_TIMEOUT_MS = 10_000;

export class RawClient {
  #buf = '';
  #closed = false;
  #waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buf += d;
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects and consumes the INFO line; returns the INFO JSON. */
  static async info(port: number): Promise<[RawClient, Record<string, unknown>]> {
    const c = await RawClient.open(port);
    const line = await c.expect(/^INFO (.*) \r\n/);
    return [c, JSON.parse(line[1]!) as Record<string, unknown>];
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(s: string | Buffer): void {
    this.socket.write(s);
  }

  /** Waits for `re` at the start of the unread input and consumes the match. */
  async expect(re: RegExp, timeout = EXPECT_TIMEOUT_MS): Promise<RegExpMatchArray> {
    const anchored = new RegExp(re.source.startsWith('^') ? re.source : `^${re.source}`, re.flags);
    const deadline = Date.now() + timeout;
    for (;;) {
      const m = this.#buf.match(anchored);
      if (m) {
        this.#buf = this.#buf.slice(m[0].length);
        return m;
      }
      if (this.#closed) throw new Error(`connection closed waiting for ${re}; got ${JSON.stringify(this.#buf)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${re}; got ${JSON.stringify(this.#buf)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until the server closes the connection; returns what was left unread. */
  async closedBy(timeout = EXPECT_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeout;
    while (!this.#closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`connection still open; unread ${JSON.stringify(this.#buf)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.#buf;
  }

  /** Everything received and not yet consumed. */
  get unread(): string {
    return this.#buf;
  }

  /**
   * Sends PING and waits for its PONG: everything sent before was
   * processed. Messages that arrived before the PONG stay unread.
   */
  async flush(timeout = EXPECT_TIMEOUT_MS): Promise<void> {
    this.send('PING\r\n');
    const deadline = Date.now() + timeout;
    for (;;) {
      const at = this.#buf.lastIndexOf('PONG\r\n');
      if (at >= 0 && (at === 0 || this.#buf.endsWith('\n', at))) {
        this.#buf = this.#buf.slice(0, at) + this.#buf.slice(at + 6);
        return;
      }
      if (this.#closed) throw new Error(`connection closed waiting for PONG; got ${JSON.stringify(this.#buf)}`);
      if (Date.now() > deadline) throw new Error(`timeout waiting for PONG; got ${JSON.stringify(this.#buf)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}
