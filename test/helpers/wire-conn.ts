// A byte-exact NATS client for the fuzz tests: subjects and payloads are
// Buffers sent as they are (nats.js would encode strings as UTF-8 and
// check them), and received MSGs come back as Buffers (latin1 subjects,
// so that every byte value survives). PINGs from the server are answered;
// -ERR lines are kept for the test to report.

import { connect, type Socket } from 'node:net';

const CRLF = Buffer.from('\r\n');

export interface WireMsg {
  subject: string; // latin1: one char per byte
  reply: string | undefined;
  data: Buffer;
}

export class WireConn {
  /** Every -ERR line the server sent. */
  readonly errors: string[] = [];
  onMsg: (m: WireMsg) => void = () => {};
  #buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  #closed = false;
  #pongs: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.#read(d));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#closed = true;
        for (const w of this.#pongs.splice(0)) w();
        resolve();
      }),
    );
  }

  /** Connects (non-verbose) and subscribes to `subs` (sids 1, 2...). */
  static async open(port: number, subs: string[] = []): Promise<WireConn> {
    const s = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    const c = new WireConn(s);
    c.socket.write(`CONNECT {"verbose":false,"pedantic":false,"protocol":1,"name":"stan-fuzz"}\r\n`);
    subs.forEach((sub, i) => c.socket.write(`SUB ${sub} ${i + 1}\r\n`));
    await c.flush();
    return c;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** PUB subject [reply] data; false when the socket's buffer is full (await drain()). */
  pub(subject: Buffer | string, reply: string | undefined, data: Uint8Array): boolean {
    const head = Buffer.concat([
      Buffer.from('PUB '),
      typeof subject === 'string' ? Buffer.from(subject, 'latin1') : subject,
      Buffer.from(`${reply === undefined ? '' : ` ${reply}`} ${data.length}\r\n`),
    ]);
    return this.socket.write(Buffer.concat([head, data, CRLF]));
  }

  drain(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done).on('close', done);
    });
  }

  /** PING and its PONG: everything sent before was processed. */
  flush(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#pongs.push(resolve);
      this.socket.write('PING\r\n');
    });
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  #read(d: Buffer): void {
    this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
    for (;;) {
      const eol = this.#buf.indexOf(CRLF);
      if (eol < 0) return;
      const line = this.#buf.subarray(0, eol).toString('latin1');
      if (line.startsWith('MSG ')) {
        const parts = line.split(' ');
        const len = Number(parts[parts.length - 1]);
        if (this.#buf.length < eol + 2 + len + 2) return; // the payload is not all here yet
        const data = Buffer.from(this.#buf.subarray(eol + 2, eol + 2 + len));
        this.#buf = this.#buf.subarray(eol + 2 + len + 2);
        this.onMsg({ subject: parts[1]!, reply: parts.length === 5 ? parts[3] : undefined, data });
        continue;
      }
      this.#buf = this.#buf.subarray(eol + 2);
      if (line === 'PING') this.socket.write('PONG\r\n');
      else if (line === 'PONG') this.#pongs.shift()?.();
      else if (line.startsWith('-ERR')) this.errors.push(line);
    }
  }
}
