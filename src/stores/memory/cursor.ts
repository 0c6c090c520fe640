// Finding a MEMORY store's record (record.ts) by sequence: a walk forward
// from the nearest record whose reference timestamp is known (the last one
// found, the head, or the start of the block, blocks.ts), decoding each
// record's header on the way. The cursor remembers the last record found,
// so reading in order (delivery) is one step per message.

import type { Arena } from './arena.js';
import { BLOCK, type BlockIndex, blockOf, startsBlock } from './blocks.js';
import { LO_INIT, readRecord, type RecordView } from './record.js';

/** The oldest record of a store, and the timestamp of the message before it. */
export class HeadRecord {
  chunk = 0;
  off = 0;
  prevHi = 0;
  prevLo = LO_INIT;
}

export class RecordCursor {
  /** The record found last (0: none). */
  seq = 0;
  chunk = 0;
  off = 0;
  /** The offset just past it, its timestamp, and the one it is coded against. */
  next = 0;
  hi = 0;
  lo = LO_INIT;
  refHi = 0;
  refLo = LO_INIT;
  /** The ArrayBuffer of its chunk. */
  ab: ArrayBufferLike = new ArrayBuffer(0);

  /** Forgets the last record found (its store dropped everything). */
  reset(): void {
    this.seq = 0;
  }

  /**
   * Finds the record of `seq`, a stored sequence (`first` the oldest):
   * returns its chunk, with the record decoded in `r`.
   */
  find(seq: number, first: number, head: HeadRecord, index: BlockIndex, arena: Arena, r: RecordView): Buffer {
    const cur = this.seq;
    const block = blockOf(seq);
    // The record to decode next: its sequence, where it is, and its reference timestamp.
    let s: number;
    let no: number;
    let off: number;
    let refHi: number;
    let refLo: number;
    if (cur >= first && cur < seq && (seq === cur + 1 || blockOf(cur) === block)) {
      // On from the last one found: delivery reads in order.
      s = cur + 1;
      no = this.chunk;
      off = this.next;
      if (startsBlock(s)) {
        const slot = index.slotOf(block);
        refHi = index.hi[slot]!;
        refLo = index.lo[slot]!;
      } else {
        refHi = this.hi;
        refLo = this.lo;
      }
    } else if (cur === seq && cur >= first) {
      s = seq;
      no = this.chunk;
      off = this.off;
      refHi = this.refHi;
      refLo = this.refLo;
    } else if (block === index.first) {
      // The block's first records may be gone, and their chunk with them.
      s = first;
      no = head.chunk;
      off = head.off;
      const start = startsBlock(s);
      refHi = start ? index.hi[index.head]! : head.prevHi;
      refLo = start ? index.lo[index.head]! : head.prevLo;
    } else {
      const slot = index.slotOf(block);
      s = block * BLOCK + 1;
      no = index.chunk[slot]!;
      off = index.off[slot]!;
      refHi = index.hi[slot]!;
      refLo = index.lo[slot]!;
    }
    if (off >= arena.end(no)) {
      no++;
      off = 0;
    }
    let buf = arena.chunk(no);
    for (;;) {
      readRecord(buf, off, refHi, refLo, r);
      if (s === seq) break;
      refHi = r.hi;
      refLo = r.lo;
      s++;
      off = r.next;
      if (off >= arena.end(no)) {
        no++;
        off = 0;
        buf = arena.chunk(no);
      }
    }
    this.seq = seq;
    this.chunk = no;
    this.off = off;
    this.next = r.next;
    this.hi = r.hi;
    this.lo = r.lo;
    this.refHi = refHi;
    this.refLo = refLo;
    this.ab = arena.arrayBuffer(no);
    return buf;
  }
}
