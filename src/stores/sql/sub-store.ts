// The SQL store's subscriptions of one channel (SubStore of
// src/stores/store.ts; Go's SQLSubStore, STAN-REFERENCE §8.3): a
// Subscriptions row per subscription (proto: spb.SubState) and its pending
// sequences in SubsPending as Go's caching mode writes them — a row with
// `lastsent` and `pending`/`acks` JSON arrays of uint64. Sent and acked
// sequences change a set in memory; each commit rewrites the row of every
// subscription that changed (one DELETE and one multi-row INSERT per
// commit), so the table holds one row per subscription. Ids are store-wide,
// as Go's SubsPending is keyed by subid alone.

import type { SubState, SubStore } from '../store.js';
import { encodeSubState } from '../file/records.js';
import type { Committer, Part, Participant, Stmt } from './committer.js';
import type { Dialect } from './dialect.js';

export interface SubIds {
  /** Highest subscription id ever given (in the database: MAX(subid), deleted rows included). */
  max: number;
}

interface Pending {
  seqs: Set<number>;
  lastSent: number;
}

export class SqlSubStore implements SubStore, Participant {
  readonly #channelId: number;
  readonly #ids: SubIds;
  readonly #committer: Committer;
  readonly #dialect: Dialect;
  readonly #subs = new Map<number, Pending>();
  #dirty = new Set<number>();
  /** A deleted subscription kept (marked) because it held the highest id, as Go does. */
  #hasMarkedAsDeleted = false;
  #closed = false;

  constructor(channelId: number, ids: SubIds, committer: Committer, dialect: Dialect) {
    this.#channelId = channelId;
    this.#ids = ids;
    this.#committer = committer;
    this.#dialect = dialect;
  }

  /** A recovered subscription's pending sequences. */
  recovered(id: number, seqs: Iterable<number>, lastSent: number): void {
    this.#subs.set(id, { seqs: new Set(seqs), lastSent });
  }

  create(state: SubState): void {
    if (state.id === 0) state.id = ++this.#ids.max;
    else if (state.id > this.#ids.max) this.#ids.max = state.id;
    this.#committer.add('INSERT INTO Subscriptions (id, subid, proto) VALUES (?, ?, ?)', [this.#channelId, state.id, encodeSubState(state)]);
    if (this.#hasMarkedAsDeleted) {
      this.#committer.add('DELETE FROM Subscriptions WHERE id=? AND deleted=TRUE', [this.#channelId]);
      this.#hasMarkedAsDeleted = false;
    }
    this.#subs.set(state.id, { seqs: new Set(), lastSent: state.lastSent });
  }

  update(state: SubState): void {
    this.#committer.add('UPDATE Subscriptions SET proto=? WHERE id=? AND subid=?', [encodeSubState(state), this.#channelId, state.id]);
  }

  delete(id: number): void {
    if (id === this.#ids.max) {
      this.#committer.add('UPDATE Subscriptions SET deleted=TRUE WHERE id=? AND subid=?', [this.#channelId, id]);
      this.#hasMarkedAsDeleted = true;
    } else {
      this.#committer.add('DELETE FROM Subscriptions WHERE id=? AND subid=?', [this.#channelId, id]);
    }
    this.#committer.add('DELETE FROM SubsPending WHERE subid=?', [id]);
    this.#subs.delete(id);
    this.#dirty.delete(id);
  }

  sent(id: number, seq: number): void {
    const p = this.#subs.get(id);
    if (p === undefined || this.#closed) return;
    p.seqs.add(seq);
    if (seq > p.lastSent) p.lastSent = seq;
    this.#touch(id);
  }

  acked(id: number, seq: number): void {
    const p = this.#subs.get(id);
    if (p === undefined || this.#closed || !p.seqs.delete(seq)) return;
    this.#touch(id);
  }

  #touch(id: number): void {
    this.#dirty.add(id);
    this.#committer.touch(this);
  }

  take(): Part | undefined {
    if (this.#dirty.size === 0) return undefined;
    const ids = [...this.#dirty].filter((id) => this.#subs.has(id));
    this.#dirty = new Set();
    if (ids.length === 0) return undefined;
    const rows: unknown[] = [];
    for (const id of ids) {
      const p = this.#subs.get(id)!;
      rows.push(id, 1, p.lastSent, Buffer.from(JSON.stringify([...p.seqs])), null);
    }
    const stmts: Stmt[] = [
      { sql: `DELETE FROM SubsPending WHERE subid IN (${ids.map(() => '?').join(',')})`, params: ids },
      {
        // Written in the dialect's syntax already; `?` would be renumbered.
        sql: `INSERT INTO SubsPending (subid, \`row\`, lastsent, pending, acks) VALUES ${this.#dialect.values(ids.length, 5).replace(/\$\d+/g, '?')}`,
        params: rows,
      },
    ];
    return {
      stmts,
      done: () => {},
      failed: () => {
        for (const id of ids) if (this.#subs.has(id)) this.#dirty.add(id);
        this.#committer.touch(this);
      },
    };
  }

  flush(): Promise<void> | void {
    if (this.#closed) return;
    if (this.#committer.idle) return;
    return this.#committer.flush();
  }

  close(): void {
    this.#closed = true;
  }
}
