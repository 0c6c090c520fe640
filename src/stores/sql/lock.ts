// The FT lock on SQL (STAN-REFERENCE §8.1; Go's SQLStore.GetExclusiveLock):
// the single StoreLock row names its owner and a tick the owner raises
// every second. A contender takes a free row (no row, empty id, or its own
// id); a row whose id and tick have not moved for 3 × 1.5 s is stolen. Our
// lock() never waits: it remembers what it saw and steals on a later call
// once that time has passed. The owner that finds another id in the row,
// or cannot update it 3 times in a row, has lost the lock.

import { randomBytes } from 'node:crypto';
import type { Db } from './drivers.js';
import type { Dialect } from './dialect.js';

export const LOCK_UPDATE_MS = 1_000;
const LOCK_LOST_COUNT = 3;

export class SqlLock {
  readonly id = randomBytes(11).toString('base64url').slice(0, 22);
  readonly #db: Db;
  readonly #dialect: Dialect;
  readonly #onLost: (why: string) => void;
  readonly #now: () => number;
  readonly #updateMs: number;
  #owner = false;
  #seen: { id: string; tick: string; since: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(db: Db, dialect: Dialect, onLost: (why: string) => void, now: () => number = Date.now, updateMs = LOCK_UPDATE_MS) {
    this.#updateMs = updateMs;
    this.#db = db;
    this.#dialect = dialect;
    this.#onLost = onLost;
    this.#now = now;
  }

  get owner(): boolean {
    return this.#owner;
  }

  async tryLock(): Promise<boolean> {
    if (this.#owner) return true;
    const seen = this.#seen;
    const steal = seen !== undefined && this.#now() - seen.since >= LOCK_LOST_COUNT * 1.5 * this.#updateMs;
    const r = await this.#acquire(steal);
    if (r.got) {
      this.#owner = true;
      this.#seen = undefined;
      this.#timer = setInterval(() => void this.#tick(), this.#updateMs);
      this.#timer.unref();
      return true;
    }
    if (seen === undefined || seen.id !== r.id || seen.tick !== r.tick) this.#seen = { id: r.id, tick: r.tick, since: this.#now() };
    return false;
  }

  async #tick(): Promise<void> {
    try {
      const r = await this.#acquire(false);
      if (!r.got) {
        this.stop();
        this.#onLost(`store lock taken by "${r.id}"`);
        return;
      }
      this.#failures = 0;
    } catch (err) {
      if (++this.#failures >= LOCK_LOST_COUNT) {
        this.stop();
        this.#onLost(`unable to update store lock: ${(err as Error).message}`);
      }
    }
  }

  /** One transaction: read the row FOR UPDATE, take it when free, ours, or stolen. */
  #acquire(steal: boolean): Promise<{ got: boolean; id: string; tick: string }> {
    const q = (s: string) => this.#dialect.sql(s);
    return this.#db.transaction(async (c) => {
      const rows = await c.query(q('SELECT id, tick FROM StoreLock FOR UPDATE'));
      const id = rows.length > 0 ? String(rows[0]![0] ?? '') : '';
      const tick = rows.length > 0 ? String(rows[0]![1] ?? '0') : '0';
      if (rows.length === 0 || steal || id === '' || id === this.id) {
        const next = (steal ? 0n : BigInt(tick)) + 1n;
        if (rows.length === 0) await c.query(q('INSERT INTO StoreLock (id, tick) VALUES (?, ?)'), [this.id, next.toString()]);
        else await c.query(q('UPDATE StoreLock SET id=?, tick=?'), [this.id, next.toString()]);
        return { got: true, id, tick };
      }
      return { got: false, id, tick };
    });
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#owner = false;
  }

  /** Frees the row on a clean shutdown so a standby takes over at once. */
  async release(): Promise<void> {
    const owned = this.#owner;
    this.stop();
    if (owned) await this.#db.query(this.#dialect.sql("UPDATE StoreLock SET id='', tick=0 WHERE id=?"), [this.id]).catch(() => {});
  }
}
