// The FILE store's subscriptions of one channel: <channel>/subs.dat
// (STAN-REFERENCE §5.5), a log of typed records — 1 new, 2 update,
// 3 delete, 4 ack, 5 sent — replayed at recovery into each subscription's
// latest state and pending set. The live states and pending sets are kept
// here too, so the log can be compacted (rewritten as one type-1 record per
// subscription plus one type-5 record per pending message) once it is
// mostly garbage.

import type { RecoveredSub, SubState, SubStore } from '../store.js';
import type { AppendFile } from './append-file.js';
import type { Committer } from './committer.js';
import { RECORD_HEADER_SIZE, sealRecord, sealRecordLater, SubRec, subUpdateSize, versionHeader, writeSubUpdate, type Crc } from './format.js';
import type { FileStoreOptions } from './options.js';
import { decodeSubDelete, decodeSubState, decodeSubUpdate, encodeSubState } from './records.js';
import { scanRecords } from './scan.js';
import { settleEnd } from './tail.js';

export interface SubStoreContext {
  /** Where compaction writes its temp file (the Go server uses the root directory). */
  rootDir: string;
  committer: Committer;
  crc: Crc;
  opts: FileStoreOptions;
}

interface SubEntry {
  state: SubState;
  pending: Set<number>;
}

export class FileSubStore implements SubStore {
  readonly #ctx: SubStoreContext;
  readonly file: AppendFile;
  readonly #subs = new Map<number, SubEntry>();
  /** Highest id ever used in this channel; ids are never reused (§5.5). */
  #maxId = 0;
  /**
   * For the compaction threshold, counted as the Go server counts: records
   * of types 1, 2 and 5, and garbage (acks, updates, deletes, and the
   * pending messages of deleted subscriptions). frag = garbage * 100 / records.
   */
  #numRecs = 0;
  #delRecs = 0;
  #compactedAt = 0;
  #compacting = false;

  constructor(ctx: SubStoreContext, file: AppendFile) {
    this.#ctx = ctx;
    this.file = file;
  }

  /** Replays subs.dat (refusing to start on a bad record, see tail.ts). */
  recover(): void {
    const { crc, opts } = this.#ctx;
    // Counted as the Go server counts (for the compaction threshold).
    const end = scanRecords(this.file, true, opts.doCrc ? crc : undefined, (type, payload) => {
      switch (type) {
        case SubRec.NEW:
        case SubRec.UPDATE: {
          const state = decodeSubState(payload);
          const old = this.#subs.get(state.id);
          this.#numRecs++;
          if (old !== undefined) {
            if (type === SubRec.UPDATE) this.#delRecs++;
            old.state = state;
            for (const seq of old.pending) if (seq > state.lastSent) state.lastSent = seq;
          } else {
            this.#subs.set(state.id, { state, pending: new Set() });
          }
          if (state.id > this.#maxId) this.#maxId = state.id;
          return undefined;
        }
        case SubRec.DELETE: {
          const id = decodeSubDelete(payload);
          const e = this.#subs.get(id);
          if (e !== undefined) this.#delRecs += 1 + e.pending.size;
          this.#subs.delete(id);
          if (id > this.#maxId) this.#maxId = id;
          return undefined;
        }
        case SubRec.ACK: {
          const u = decodeSubUpdate(payload);
          const e = this.#subs.get(u.id);
          if (e !== undefined) {
            e.pending.delete(u.seq);
            this.#delRecs++;
          }
          return undefined;
        }
        case SubRec.MSG: {
          const u = decodeSubUpdate(payload);
          const e = this.#subs.get(u.id);
          if (e !== undefined) {
            e.pending.add(u.seq);
            if (u.seq > e.state.lastSent) e.state.lastSent = u.seq;
            this.#numRecs++;
          }
          return undefined;
        }
        default:
          return `unexpected record type: ${type}`;
      }
    });
    settleEnd(this.file, end, 'strict', opts.truncateBadEof, opts.log);
  }

  /** The subscriptions as recovered, with their pending sequences in order. */
  recovered(): RecoveredSub[] {
    return [...this.#subs.values()].map((e) => ({
      state: { ...e.state },
      pending: [...e.pending].sort((a, b) => a - b),
    }));
  }

  get size(): number {
    return this.#subs.size;
  }

  create(state: SubState): void {
    this.#refuseIfFailed();
    if (state.id === 0) state.id = ++this.#maxId;
    else if (state.id > this.#maxId) this.#maxId = state.id;
    this.#writeState(SubRec.NEW, state);
    this.#numRecs++;
    this.#subs.set(state.id, { state: { ...state }, pending: new Set() });
  }

  update(state: SubState): void {
    this.#refuseIfFailed();
    this.#writeState(SubRec.UPDATE, state);
    this.#numRecs++;
    this.#delRecs++;
    const e = this.#subs.get(state.id);
    if (e === undefined) this.#subs.set(state.id, { state: { ...state }, pending: new Set() });
    else e.state = { ...state };
    if (state.id > this.#maxId) this.#maxId = state.id;
  }

  delete(id: number): void {
    this.#refuseIfFailed();
    const e = this.#subs.get(id);
    this.#writeUpdate(SubRec.DELETE, id, 0);
    this.#delRecs++;
    if (e === undefined) return;
    this.#delRecs += e.pending.size;
    this.#subs.delete(id);
    this.#maybeCompact();
  }

  sent(id: number, seq: number): void {
    const e = this.#subs.get(id);
    if (e === undefined) return;
    e.pending.add(seq);
    if (seq > e.state.lastSent) e.state.lastSent = seq;
    this.#writeUpdate(SubRec.MSG, id, seq);
    this.#numRecs++;
  }

  acked(id: number, seq: number): void {
    const e = this.#subs.get(id);
    if (e === undefined) return;
    e.pending.delete(seq);
    this.#writeUpdate(SubRec.ACK, id, seq);
    this.#delRecs++;
    this.#maybeCompact();
  }

  /** Waits for subs.dat only (the sequencer calls this after every delivery). */
  flush(): Promise<void> | void {
    return this.#ctx.committer.flushFiles([this.file]);
  }

  async close(): Promise<void> {
    // A failed store logged why; what it could not write was never acknowledged.
    await Promise.resolve(this.#ctx.committer.flush()).catch(() => {});
    this.file.close();
  }

  /**
   * While the store is failed, new, changed and deleted subscriptions are
   * refused (their requests need an answer); sent and acked records are
   * kept and written once it recovers.
   */
  #refuseIfFailed(): void {
    const f = this.#ctx.committer.failure;
    if (f !== undefined) throw f;
  }

  #writeState(type: number, state: SubState): void {
    const payload = encodeSubState(state);
    const f = this.file;
    const p = f.reserve(RECORD_HEADER_SIZE + payload.length);
    payload.copy(f.buf, p + RECORD_HEADER_SIZE);
    this.#seal(p, payload.length, type);
  }

  /** SubStateUpdate (types 4, 5) or, with seq 0, SubStateDelete (type 3): the same bytes. */
  #writeUpdate(type: number, id: number, seq: number): void {
    const size = subUpdateSize(id, seq);
    const f = this.file;
    const p = f.reserve(RECORD_HEADER_SIZE + size);
    writeSubUpdate(f.buf, p + RECORD_HEADER_SIZE, id, seq);
    this.#seal(p, size, type);
  }

  #seal(p: number, size: number, type: number): void {
    const f = this.file;
    sealRecordLater(f, p, size, type, this.#ctx.crc);
    f.added(RECORD_HEADER_SIZE + size);
    this.#ctx.committer.dirty(f);
  }

  /** Compaction when enabled and the log is big and fragmented enough (§5.5). */
  #maybeCompact(): void {
    const o = this.#ctx.opts;
    if (!o.compactEnabled || this.#compacting) return;
    if (o.compactMinSize > 0 && this.file.size < o.compactMinSize) return;
    const frag = this.#numRecs === 0 ? 100 : (this.#delRecs * 100) / this.#numRecs;
    if (frag < o.compactFragmentation) return;
    const now = Date.now();
    if (now - this.#compactedAt < o.compactIntervalSec * 1000) return;
    this.#compacting = true;
    this.#ctx.committer.rewrite({
      file: this.file,
      tmpDir: this.#ctx.rootDir,
      content: () => this.#snapshot(),
      done: () => {
        this.#compacting = false;
      },
    });
  }

  /** subs.dat rewritten from the live state: type 1 per subscription, type 5 per pending message. */
  #snapshot(): Buffer[] {
    const crc = this.#ctx.crc;
    const out: Buffer[] = [versionHeader()];
    let recs = 0;
    for (const { state, pending } of this.#subs.values()) {
      const payload = encodeSubState(state);
      const rec = Buffer.allocUnsafe(RECORD_HEADER_SIZE + payload.length);
      payload.copy(rec, RECORD_HEADER_SIZE);
      sealRecord(rec, 0, payload.length, SubRec.NEW, crc);
      out.push(rec);
      recs++;
      for (const seq of [...pending].sort((a, b) => a - b)) {
        const size = subUpdateSize(state.id, seq);
        const r = Buffer.allocUnsafe(RECORD_HEADER_SIZE + size);
        writeSubUpdate(r, RECORD_HEADER_SIZE, state.id, seq);
        sealRecord(r, 0, size, SubRec.MSG, crc);
        out.push(r);
        recs++;
      }
    }
    this.#numRecs = recs;
    this.#delRecs = 0;
    this.#compactedAt = Date.now();
    return out;
  }
}
