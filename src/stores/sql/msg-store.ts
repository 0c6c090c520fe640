// The SQL store's messages of one channel (MsgStore of src/stores/store.ts;
// Go's SQLMsgStore, STAN-REFERENCE §8.3): a Messages row per message whose
// data column is the whole marshalled MsgProto and whose size is its
// length. Stores go to the recent cache and wait for the group commit
// (committer.ts); limits drop the oldest with one ranged DELETE per commit.
// Reads are served from the recent cache while a subscriber keeps up, else
// by an async SELECT of a batch; the few synchronous calls of the contract
// read through SyncDb. Encryption hooks in at encodeRecord/decodeRecord.

import { decodeMsgProto, encodeMsgProto, msgProtoSize } from '../../pb/hot.js';
import { StoreError, type ChannelLimits, type MsgStore, type MsgStoreState, type StoredMsg } from '../store.js';
import type { Committer, Part, Participant } from './committer.js';
import type { Db } from './drivers.js';
import type { Dialect } from './dialect.js';
import type { SyncDb } from './sync-db.js';

const NS_PER_MS = 1_000_000n;
/** Committed messages kept for readers (and lookups) beyond this are dropped from memory. */
const RECENT_MAX_MSGS = 8_192;
const RECENT_MAX_BYTES = 8 * 1024 * 1024;
/** One read returns at most this many bytes of messages (and at least one message). */
const READ_MAX_BYTES = 4 * 1024 * 1024;
/** Oldest-message metadata loaded at once for limit drops and expiry. */
const OLD_WINDOW = 1_024;

interface Entry {
  ts: bigint;
  size: number;
  /** The MsgProto as stored in the data column; never modified. */
  enc: Uint8Array;
}

interface Meta {
  seq: number;
  ts: bigint;
  size: number;
}

export interface SqlMsgContext {
  channelId: number;
  channel: string;
  db: Db;
  sync: SyncDb;
  dialect: Dialect;
  committer: Committer;
  /** Caches nothing once committed (--sql_no_caching). */
  noCaching: boolean;
  /** Bytes waiting for a commit in the whole store: back-pressure. */
  backlog: { bytes: number; max: number };
  onLimitReached?: (channel: string, state: MsgStoreState, limits: ChannelLimits) => void;
}

/** The row values of a recovered channel. */
export interface RecoveredMsgs {
  first: number;
  last: number;
  count: number;
  bytes: number;
}

export class SqlMsgStore implements MsgStore, Participant {
  readonly #c: SqlMsgContext;
  #limits: ChannelLimits;
  #first = 0;
  #last = 0;
  #count = 0;
  #bytes = 0;
  /** recent[i - head] holds sequence recentFirst + i; contiguous up to last. */
  #recent: Entry[] = [];
  #head = 0;
  #recentFirst = 1;
  #recentBytes = 0;
  /** Highest sequence committed (or being committed: see #inFlight). */
  #committed = 0;
  #inFlight = 0;
  /** Rows below this are deleted in the database (as of the last commit). */
  #dbFirst = 0;
  #old: Meta[] = [];
  #hitLimit = false;
  #closed = false;

  constructor(c: SqlMsgContext, limits: ChannelLimits, rec?: RecoveredMsgs) {
    this.#c = c;
    this.#limits = { ...limits };
    if (rec !== undefined && rec.last > 0) {
      this.#first = rec.count > 0 ? rec.first : rec.last + 1;
      this.#last = rec.last;
      this.#count = rec.count;
      this.#bytes = rec.bytes;
    }
    this.#committed = this.#inFlight = this.#last;
    this.#recentFirst = this.#last + 1;
    this.#dbFirst = this.#first;
  }

  get channelId(): number {
    return this.#c.channelId;
  }

  get firstSeq(): number {
    return this.#first;
  }

  get lastSeq(): number {
    return this.#last;
  }

  state(): MsgStoreState {
    return { firstSeq: this.#first, lastSeq: this.#last, msgs: this.#count, bytes: this.#bytes };
  }

  store(data: Uint8Array, reply: string, timestamp: bigint): number {
    if (this.#closed) throw new StoreError(`message store of channel "${this.#c.channel}" is closed`);
    const { backlog } = this.#c;
    if (backlog.bytes > backlog.max) {
      const why = this.#c.committer.lastError?.message ?? 'the database is slower than the publishers';
      throw new StoreError(`sql: too much data waiting for the database (${why})`);
    }
    const seq = this.#last + 1;
    const enc = encodeRecord(seq, this.#c.channel, reply, data, timestamp);
    if (this.#recent.length === this.#head) this.#recentFirst = seq;
    this.#recent.push({ ts: timestamp, size: enc.length, enc });
    this.#recentBytes += enc.length;
    backlog.bytes += enc.length;
    this.#last = seq;
    if (this.#first === 0) this.#first = seq;
    this.#count++;
    this.#bytes += enc.length;
    this.#enforce(true);
    this.#c.committer.touch(this);
    return seq;
  }

  /** Drops the oldest messages beyond max_msgs/max_bytes, always keeping the newest. */
  #enforce(report: boolean): void {
    const { maxMsgs, maxBytes } = this.#limits;
    if (maxMsgs <= 0 && maxBytes <= 0) return;
    let dropped = false;
    while (this.#count > 1 && ((maxMsgs > 0 && this.#count > maxMsgs) || (maxBytes > 0 && this.#bytes > maxBytes))) {
      this.#dropFirst(this.#meta(this.#first)?.size ?? 0);
      dropped = true;
    }
    if (dropped) {
      this.#c.committer.touch(this);
      if (report && !this.#hitLimit) {
        this.#hitLimit = true;
        this.#c.onLimitReached?.(this.#c.channel, this.state(), this.#limits);
      }
    }
  }

  #dropFirst(size: number): void {
    this.#first++;
    this.#count--;
    this.#bytes -= size;
    while (this.#recentFirst < this.#first && this.#head < this.#recent.length) {
      const e = this.#recent[this.#head++]!;
      this.#recentBytes -= e.size;
      if (this.#recentFirst > this.#inFlight) this.#c.backlog.bytes -= e.size; // never to be written
      this.#recentFirst++;
    }
    if (this.#head === this.#recent.length) this.#recentFirst = Math.max(this.#recentFirst, this.#last + 1);
    this.#compact();
  }

  #compact(): void {
    if (this.#head === this.#recent.length) {
      this.#recent = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#recent.length) {
      this.#recent = this.#recent.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Timestamp and size of a stored message: from the recent cache, else the window of old ones. */
  #meta(seq: number): Meta | undefined {
    if (seq < this.#first || seq > this.#last) return undefined;
    if (seq >= this.#recentFirst) {
      const e = this.#recent[this.#head + seq - this.#recentFirst]!;
      return { seq, ts: e.ts, size: e.size };
    }
    while (this.#old.length > 0 && this.#old[0]!.seq < seq) this.#old.shift();
    if (this.#old.length === 0 || this.#old[0]!.seq !== seq) {
      const rows = this.#c.sync.query(
        this.#c.dialect.sql('SELECT seq, timestamp, size FROM Messages WHERE id=? AND seq>=? AND seq<? ORDER BY seq LIMIT ?'),
        [this.#c.channelId, seq, this.#recentFirst, OLD_WINDOW],
      );
      this.#old = rows.map((r) => ({ seq: Number(r[0]), ts: BigInt(r[1] as string), size: Number(r[2]) }));
    }
    const m = this.#old[0];
    return m?.seq === seq ? m : undefined;
  }

  #entry(seq: number): Entry | undefined {
    if (!Number.isInteger(seq) || seq < this.#first || seq > this.#last || seq < this.#recentFirst) return undefined;
    return this.#recent[this.#head + seq - this.#recentFirst];
  }

  cached(seq: number): StoredMsg | undefined {
    const e = this.#entry(seq);
    return e && decodeRecord(e.enc);
  }

  encoded(seq: number): Uint8Array | undefined {
    return this.#entry(seq)?.enc;
  }

  lookup(seq: number): StoredMsg | undefined {
    if (!Number.isInteger(seq) || seq < this.#first || seq > this.#last) return undefined;
    const e = this.#entry(seq);
    if (e) return decodeRecord(e.enc);
    const rows = this.#c.sync.query(this.#c.dialect.sql('SELECT data FROM Messages WHERE id=? AND seq=?'), [this.#c.channelId, seq]);
    return rows.length > 0 ? decodeRecord(rows[0]![0] as Uint8Array) : undefined;
  }

  timestampOf(seq: number): bigint | undefined {
    if (!Number.isInteger(seq)) return undefined;
    return this.#meta(seq)?.ts;
  }

  firstSeqAtOrAfter(ts: bigint): number {
    if (this.#first === 0) return 0;
    if (this.#first < this.#recentFirst) {
      const rows = this.#c.sync.query(this.#c.dialect.sql(SEQ_FROM_TS), [this.#c.channelId, this.#first, this.#recentFirst, ts.toString()]);
      if (rows.length > 0) return Number(rows[0]![0]);
    }
    return this.#recentAtOrAfter(ts);
  }

  async seqFromTimestamp(ts: bigint): Promise<number> {
    if (this.#first === 0) return 0;
    const upTo = this.#recentFirst;
    if (this.#first < upTo) {
      const rows = await this.#c.db.query(this.#c.dialect.sql(SEQ_FROM_TS), [this.#c.channelId, this.#first, upTo, ts.toString()]);
      if (rows.length > 0) return Math.max(Number(rows[0]![0]), this.#first);
    }
    return this.#recentAtOrAfter(ts);
  }

  #recentAtOrAfter(ts: bigint): number {
    for (let seq = Math.max(this.#first, this.#recentFirst); seq <= this.#last; seq++) {
      if (this.#recent[this.#head + seq - this.#recentFirst]!.ts >= ts) return seq;
    }
    return this.#last + 1;
  }

  async read(from: number, max: number): Promise<StoredMsg[]> {
    if (this.#closed) throw new StoreError(`message store of channel "${this.#c.channel}" is closed`);
    if (!(max >= 1) || Number.isNaN(from)) return [];
    const start = Math.max(Math.ceil(from), this.#first);
    if (this.#first === 0 || start > this.#last) return [];
    if (start >= this.#recentFirst) return this.#readRecent(start, max);
    const upTo = this.#recentFirst;
    const lastAtCall = this.#last;
    let rows;
    try {
      rows = await this.#c.db.query(this.#c.dialect.sql('SELECT data FROM Messages WHERE id=? AND seq>=? AND seq<? ORDER BY seq LIMIT ?'), [
        this.#c.channelId,
        start,
        upTo,
        Math.min(max, 100_000),
      ]);
    } catch (err) {
      throw new StoreError(`sql: reading channel "${this.#c.channel}": ${(err as Error).message}`);
    }
    // Closed meanwhile: the rows read are still the right messages.
    const out: StoredMsg[] = [];
    let bytes = 0;
    for (const r of rows) {
      const m = decodeRecord(r[0] as Uint8Array);
      if (m.sequence < this.#first) continue; // dropped while the query ran
      if (out.length > 0 && (m.sequence !== out[out.length - 1]!.sequence + 1 || bytes > READ_MAX_BYTES)) break;
      out.push(m);
      bytes += m.data.length;
    }
    if (out.length === 0 && this.#first > start && !this.#closed) return this.read(this.#first, max);
    // The rows reached the cache: go on from it while it still holds what follows.
    const next = out.length > 0 ? out[out.length - 1]!.sequence + 1 : start;
    if (next === upTo && next >= this.#recentFirst && out.length < max && bytes <= READ_MAX_BYTES) {
      for (const m of this.#readRecent(next, max - out.length, lastAtCall)) out.push(m);
    }
    return out;
  }

  #readRecent(start: number, max: number, last = this.#last): StoredMsg[] {
    const out: StoredMsg[] = [];
    let bytes = 0;
    for (let seq = start; seq <= Math.min(last, this.#last) && out.length < max && bytes <= READ_MAX_BYTES; seq++) {
      const e = this.#recent[this.#head + seq - this.#recentFirst]!;
      out.push(decodeRecord(e.enc));
      bytes += e.size;
    }
    return out;
  }

  setLimits(limits: ChannelLimits): void {
    this.#limits = { ...limits };
    this.#enforce(false);
    this.#c.committer.add('UPDATE Channels SET maxmsgs=?, maxbytes=?, maxage=? WHERE id=?', [
      limits.maxMsgs,
      limits.maxBytes,
      (BigInt(limits.maxAgeMs) * NS_PER_MS).toString(),
      this.#c.channelId,
    ]);
  }

  expire(nowNs: bigint): number {
    if (this.#limits.maxAgeMs <= 0) return 0;
    const cutoff = nowNs - BigInt(this.#limits.maxAgeMs) * NS_PER_MS;
    let n = 0;
    try {
      for (let m = this.#meta(this.#first); this.#count > 0 && m !== undefined && m.ts <= cutoff; m = this.#meta(this.#first)) {
        this.#dropFirst(m.size);
        n++;
      }
    } catch {
      // The database is unreachable: expire again on the next tick.
    }
    if (n > 0) this.#c.committer.touch(this);
    return n;
  }

  /** The writes of the next commit (Participant). */
  take(): Part | undefined {
    const from = Math.max(this.#inFlight + 1, this.#first);
    const to = this.#last;
    const msgRows: unknown[][] = [];
    let pendingBytes = 0;
    for (let seq = Math.max(from, this.#recentFirst); seq <= to; seq++) {
      const e = this.#recent[this.#head + seq - this.#recentFirst]!;
      msgRows.push([this.#c.channelId, seq, e.ts.toString(), e.size, e.enc]);
      pendingBytes += e.size;
    }
    const first = this.#first;
    const stmts = [];
    if (first > this.#dbFirst) {
      stmts.push({ sql: 'DELETE FROM Messages WHERE id=? AND seq<?', params: [this.#c.channelId, first] });
      // Everything gone: the channel row keeps the sequence (Go's maxseq).
      if (first > to) stmts.push({ sql: 'UPDATE Channels SET maxseq=? WHERE id=?', params: [to, this.#c.channelId] });
    }
    if (msgRows.length === 0 && stmts.length === 0) return undefined;
    const prevInFlight = this.#inFlight;
    this.#inFlight = Math.max(this.#inFlight, to);
    return {
      msgRows,
      stmts,
      done: () => {
        this.#c.backlog.bytes -= pendingBytes;
        this.#committed = Math.max(this.#committed, to);
        this.#dbFirst = Math.max(this.#dbFirst, first);
        this.#trim();
      },
      failed: () => {
        this.#inFlight = prevInFlight;
        this.#c.committer.touch(this);
      },
    };
  }

  /** Forgets committed messages beyond the cache's bounds (all of them with --sql_no_caching). */
  #trim(): void {
    const maxMsgs = this.#c.noCaching ? 0 : RECENT_MAX_MSGS;
    const maxBytes = this.#c.noCaching ? 0 : RECENT_MAX_BYTES;
    while (this.#head < this.#recent.length && this.#recentFirst <= this.#committed) {
      const n = this.#recent.length - this.#head;
      if (n <= maxMsgs && this.#recentBytes <= maxBytes) break;
      this.#recentBytes -= this.#recent[this.#head++]!.size;
      this.#recentFirst++;
    }
    this.#compact();
  }

  /** Drops every committed message from memory (tests: reads then go to the database). */
  evictRecent(): void {
    while (this.#head < this.#recent.length && this.#recentFirst <= this.#committed) {
      this.#recentBytes -= this.#recent[this.#head++]!.size;
      this.#recentFirst++;
    }
    this.#compact();
  }

  flush(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#c.committer.flush();
  }

  close(): void {
    this.#closed = true;
  }
}

const SEQ_FROM_TS = 'SELECT seq FROM Messages WHERE id=? AND seq>=? AND seq<? AND timestamp>=? ORDER BY seq LIMIT 1';

/** The data column of a message: its MsgProto (the seam where encryption applies). */
function encodeRecord(seq: number, subject: string, reply: string, data: Uint8Array, ts: bigint): Uint8Array {
  const size = msgProtoSize(seq, subject, reply, data, ts, false, 0);
  const buf = Buffer.allocUnsafe(size);
  encodeMsgProto(buf, 0, seq, subject, reply, data, ts, false, 0);
  return new Uint8Array(buf.buffer, buf.byteOffset, size);
}

/** A message from its data column (a view of `enc`, which must not change). */
export function decodeRecord(enc: Uint8Array): StoredMsg {
  const u = enc instanceof Buffer ? new Uint8Array(enc.buffer, enc.byteOffset, enc.length) : enc;
  const m = decodeMsgProto(u);
  const data = m.data instanceof Buffer ? new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.length) : m.data;
  return { sequence: m.sequence, subject: m.subject, reply: m.reply, data, timestamp: m.timestamp };
}
