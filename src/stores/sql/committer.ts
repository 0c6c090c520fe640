// The SQL store's group commit: every write of every channel (messages,
// limit deletes, subscription state, clients, channels) waits in memory
// until the next commit, which runs them in ONE transaction with
// multi-row INSERTs; flush() resolves when the commit holding what was
// written before it is done, so a PubAck leaves only after its COMMIT.
// One commit runs at a time; writes arriving meanwhile form the next one.
// A failed commit (the database went away) rejects its flushes (error
// PubAcks), keeps its writes for the next one and retries with back-off
// while the driver reconnects; nothing acknowledged is lost.

import { StoreError } from '../store.js';
import type { Conn, Db } from './drivers.js';
import type { Dialect } from './dialect.js';

/** One statement, MySQL style (`?`, `row` quoted); the dialect rewrites it. */
export interface Stmt {
  sql: string;
  params: unknown[];
}

/** The writes of one participant (a channel's messages or subscriptions) in one commit. */
export interface Part {
  /** Rows for the multi-row insert into Messages: [id, seq, timestamp, size, data]. */
  msgRows?: unknown[][];
  /** Statements run after the inserts. */
  stmts?: Stmt[];
  /** Called after COMMIT. */
  done(): void;
  /** Called after a failure: the writes go into the next commit. */
  failed(): void;
}

export interface Participant {
  /** What to write now; undefined when nothing. */
  take(): Part | undefined;
}

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2_000;
/** Rows per multi-row INSERT by default (Postgres caps a statement at 65535 parameters). */
export const DEFAULT_ROWS_PER_INSERT = 1_000;

export class Committer {
  readonly #db: Db;
  readonly #dialect: Dialect;
  readonly #rowsPerInsert: number;
  readonly #onError: (err: Error) => void;
  #ops: Stmt[] = [];
  #dirty = new Set<Participant>();
  #running: Promise<void> | undefined;
  #next: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  #scheduled = false;
  #backoff = 0;
  #retryAt = 0;
  #closed = false;
  /** The last commit's failure while it is not followed by a success. */
  lastError: Error | undefined;

  constructor(db: Db, dialect: Dialect, rowsPerInsert: number, onError: (err: Error) => void) {
    this.#db = db;
    this.#dialect = dialect;
    this.#rowsPerInsert = rowsPerInsert;
    this.#onError = onError;
  }

  /** A statement for the next commit, in order with the others. */
  add(sql: string, params: unknown[]): void {
    this.#ops.push({ sql, params });
    this.#schedule();
  }

  /** `p` has writes for the next commit. */
  touch(p: Participant): void {
    this.#dirty.add(p);
    this.#schedule();
  }

  /** Resolves once everything written so far is committed; rejects if that commit fails. */
  flush(): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreError('sql: store closed'));
    if (this.#next === undefined) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => {}); // a flush nobody awaits must not be an unhandled rejection
      this.#next = { promise, resolve, reject };
    }
    this.#schedule();
    return this.#next.promise;
  }

  /** Whether nothing waits to be written. */
  get idle(): boolean {
    return this.#ops.length === 0 && this.#dirty.size === 0 && this.#running === undefined;
  }

  #schedule(): void {
    if (this.#scheduled || this.#running !== undefined || this.#closed) return;
    this.#scheduled = true;
    const wait = Math.max(0, this.#retryAt - Date.now());
    const go = () => {
      this.#scheduled = false;
      this.#run();
    };
    if (wait > 0) setTimeout(go, wait);
    else setImmediate(go);
  }

  #run(): void {
    if (this.#running !== undefined) return;
    const waiter = this.#next;
    this.#next = undefined;
    const ops = this.#ops;
    this.#ops = [];
    const parts: Part[] = [];
    for (const p of this.#dirty) {
      const part = p.take();
      if (part !== undefined) parts.push(part);
    }
    this.#dirty.clear();
    if (ops.length === 0 && parts.length === 0) {
      waiter?.resolve();
      return;
    }
    this.#running = this.#write(ops, parts).then(
      () => {
        this.#backoff = 0;
        this.#retryAt = 0;
        this.lastError = undefined;
        for (const p of parts) p.done();
        waiter?.resolve();
      },
      (err: Error) => {
        const e = err instanceof StoreError ? err : new StoreError(`sql: ${err.message}`);
        this.lastError = e;
        this.#ops = ops.concat(this.#ops);
        for (const p of parts) p.failed();
        this.#backoff = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, this.#backoff * 2));
        this.#retryAt = Date.now() + this.#backoff;
        this.#onError(e);
        waiter?.reject(e);
      },
    );
    void this.#running.finally(() => {
      this.#running = undefined;
      if (this.#next !== undefined || this.#ops.length > 0 || this.#dirty.size > 0) this.#schedule();
    });
  }

  async #write(ops: Stmt[], parts: Part[]): Promise<void> {
    const rows: unknown[][] = [];
    const stmts: Stmt[] = [];
    for (const p of parts) {
      if (p.msgRows) for (const r of p.msgRows) rows.push(r);
      if (p.stmts) for (const s of p.stmts) stmts.push(s);
    }
    const count = ops.length + stmts.length + Math.ceil(rows.length / this.#rowsPerInsert);
    const body = async (c: Conn) => {
      for (const s of ops) await c.query(this.#dialect.sql(s.sql), s.params);
      for (let i = 0; i < rows.length; i += this.#rowsPerInsert) {
        const chunk = rows.slice(i, i + this.#rowsPerInsert);
        const sql = `INSERT INTO Messages (id, seq, timestamp, size, data) VALUES ${this.#dialect.values(chunk.length, 5)}`;
        await c.query(sql, chunk.flat());
      }
      for (const s of stmts) await c.query(this.#dialect.sql(s.sql), s.params);
    };
    // A single statement is a transaction of its own: no BEGIN/COMMIT round trips.
    if (count === 1) await body(this.#db);
    else await this.#db.transaction(body);
  }

  /** Waits for the running commit and commits what is left (once more on failure); later flushes reject. */
  async close(): Promise<void> {
    try {
      await this.#running?.catch(() => {});
      if (!this.idle || this.#next !== undefined) {
        this.#retryAt = 0;
        await this.flush().catch(() => {});
      }
    } finally {
      this.#closed = true;
    }
  }
}
