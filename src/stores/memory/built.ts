// The MsgProtos a MEMORY store builds for delivery from its compact
// records (record.ts): written one after the other into a slab shared by
// every store of the process, never rewritten, so a view handed out stays
// valid and unchanged for as long as anyone holds it. The last ones built
// are remembered by (store, sequence): a message sent to many
// subscriptions is built once.

import { msgProtoLength, writeProtoHead, writeTsField } from './record.js';

const SLAB_SIZE = 64 * 1024;
let slab: Buffer = Buffer.alloc(0);
let slabAb = slab.buffer as ArrayBuffer;
let slabPos = 0;

/** Recently built, by (store id, sequence) hashed to a slot. */
const RECENT = 1024;
const recentStore = new Float64Array(RECENT).fill(-1);
const recentSeq = new Float64Array(RECENT);
const recentBytes: Uint8Array[] = new Array<Uint8Array>(RECENT).fill(new Uint8Array(0));

let nextStoreId = 0;

/** An id for a store's entries: never reused, so a closed store's entries never match. */
export function newStoreId(): number {
  return nextStoreId++;
}

function slotOf(storeId: number, seq: number): number {
  return (seq + storeId * 97) & (RECENT - 1);
}

/** The MsgProto built for (store, seq) lately, if it is still remembered. */
export function recentlyBuilt(storeId: number, seq: number): Uint8Array | undefined {
  const i = slotOf(storeId, seq);
  return recentStore[i] === storeId && recentSeq[i] === seq ? recentBytes[i] : undefined;
}

/**
 * Builds the MsgProto {seq, subject, reply, data, timestamp} of a compact
 * record whose data is `len` bytes at `from` in `src`, and remembers it.
 */
export function buildMsgProto(
  storeId: number,
  seq: number,
  subject: Uint8Array,
  reply: Uint8Array,
  src: ArrayBufferLike,
  from: number,
  len: number,
  hi: number,
  lo: number,
): Uint8Array {
  const size = msgProtoLength(seq, subject.length, reply.length, len, hi, lo);
  if (slabPos + size > slab.length) {
    // Not zeroed: every byte handed out is written first.
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, size));
    slabAb = slab.buffer as ArrayBuffer;
    slabPos = 0;
  }
  const out = slab;
  const at = slabPos;
  let p = writeProtoHead(out, at, seq, subject, reply, len);
  if (len !== 0) out.set(new Uint8Array(src, from, len), p);
  p = writeTsField(out, p + len, hi, lo);
  slabPos = p;
  const bytes = new Uint8Array(slabAb, at, size);
  const i = slotOf(storeId, seq);
  recentStore[i] = storeId;
  recentSeq[i] = seq;
  recentBytes[i] = bytes;
  return bytes;
}
