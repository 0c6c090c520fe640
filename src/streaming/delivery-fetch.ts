// Delivery's cursor when messages are not in the store's memory: one
// read() for the next batch (as many as MaxInflight leaves room for), the
// subscription or group marked fetching meanwhile (nothing new is sent, so
// nothing is sent twice or skipped), and delivery resumed in sequence
// order when it resolves. A subscription closed, resumed anew or put on
// hold while its read was out drops the result; acks and closes meanwhile
// change only state that is read again at resolution.

import type { StoredMsg } from '../stores/store.js';
import type { Clock } from './clock.js';
import type { Channel, QueueGroup, StanSub } from './model.js';

/** What the cursor needs of Delivery. */
export interface FetchHost {
  readonly clock: Clock;
  readonly log: (text: string) => void;
  sendRead(sub: StanSub, m: StoredMsg): void;
  sendToSub(sub: StanSub): void;
  sendToGroup(c: Channel, g: QueueGroup): void;
  memberFor(g: QueueGroup): StanSub | undefined;
  /** A redelivery read failed: try again on the ack timer. */
  retryLater(sub: StanSub): void;
}

/** Whether a subscription is no longer the one a read was started for. */
function gone(sub: StanSub, ackInbox: string): boolean {
  return sub.client === undefined || !sub.initialized || sub.newOnHold || sub.state.ackInbox !== ackInbox;
}

/** Reads the next messages of a plain subscription from `from` (stored, deliverable up to `last`). */
export function readForSub(d: FetchHost, sub: StanSub, from: number, last: number): void {
  sub.fetching = true;
  const ackInbox = sub.state.ackInbox;
  const max = Math.min(sub.state.maxInFlight - sub.pending.size, last - from + 1);
  sub.channel.msgs.read(from, max).then(
    (got) => {
      sub.fetching = false;
      // Sending goes on only after progress: a read that could send nothing
      // (room taken meanwhile) waits for the next ack or message.
      const before = sub.state.lastSent;
      // Dropped (closed, or resumed anew: its own start was held by this read), else sent.
      const stale = gone(sub, ackInbox);
      if (!stale) sendReadToSub(d, sub, got, max, last);
      if (stale || sub.state.lastSent > before) d.sendToSub(sub);
    },
    (err: Error) => {
      sub.fetching = false;
      d.log(`STREAM: [Client:${sub.state.clientId}] Error reading "${sub.channel.name}" from ${from}: ${err.message}`);
    },
  );
}

function sendReadToSub(d: FetchHost, sub: StanSub, got: StoredMsg[], max: number, last: number): void {
  const deliverable = sub.channel.deliverable;
  let all = true;
  for (const m of got) {
    if (m.sequence <= sub.state.lastSent) continue;
    if (m.sequence > deliverable || sub.pending.size >= sub.state.maxInFlight) {
      all = false;
      break;
    }
    d.sendRead(sub, m);
  }
  // A short read covered every stored message up to `last`: the rest are gone.
  if (all && got.length < max && last > sub.state.lastSent) sub.state.lastSent = last;
  if (sub.pending.size >= sub.state.maxInFlight) sub.stalled = true;
}

/** Reads the next messages of a queue group from `from`, for as many as its members have room. */
export function readForGroup(d: FetchHost, c: Channel, g: QueueGroup, from: number, last: number): void {
  g.fetching = true;
  let room = 0;
  for (const s of g.members) room += Math.max(0, s.state.maxInFlight - s.pending.size);
  const max = Math.min(Math.max(room, 1), last - from + 1);
  c.msgs.read(from, max).then(
    (got) => {
      g.fetching = false;
      if (c.queues.get(g.name) !== g || g.members.length === 0 || g.newOnHold) return;
      const before = g.lastSent;
      sendReadToGroup(d, c, g, got, max, last);
      if (g.lastSent > before) d.sendToGroup(c, g);
    },
    (err: Error) => {
      g.fetching = false;
      d.log(`STREAM: Error reading "${c.name}" from ${from} for queue group "${g.name}": ${err.message}`);
    },
  );
}

function sendReadToGroup(d: FetchHost, c: Channel, g: QueueGroup, got: StoredMsg[], max: number, last: number): void {
  let all = true;
  let sentUpTo = 0;
  for (const m of got) {
    if (m.sequence <= g.lastSent) continue;
    const member = m.sequence <= c.deliverable ? d.memberFor(g) : undefined;
    if (member === undefined) {
      all = false;
      break;
    }
    d.sendRead(member, m);
    g.lastSent = sentUpTo = m.sequence;
  }
  if (all && got.length < max && last > g.lastSent) g.lastSent = last;
  if (sentUpTo > 0) for (const s of g.members) s.state.lastSent = sentUpTo;
}

/**
 * The messages of `seqs` (pending ones to redeliver), read from the store;
 * `then` gets them aligned with `seqs`, undefined where absent, unless the
 * subscription left meanwhile.
 */
export function readAll(d: FetchHost, sub: StanSub, seqs: number[], then: (found: (StoredMsg | undefined)[]) => void): void {
  const ackInbox = sub.state.ackInbox;
  readSeqs(sub.channel, seqs).then(
    (found) => {
      if (sub.client !== undefined && sub.state.ackInbox === ackInbox) then(found);
    },
    (err: Error) => {
      d.log(`STREAM: [Client:${sub.state.clientId}] Error reading "${sub.channel.name}" for redelivery: ${err.message}`);
      if (sub.client !== undefined && sub.state.ackInbox === ackInbox) d.retryLater(sub);
    },
  );
}

/** One read per run of consecutive sequences. */
async function readSeqs(c: Channel, seqs: number[]): Promise<(StoredMsg | undefined)[]> {
  const sorted = [...seqs].sort((a, b) => a - b);
  const reads: Promise<StoredMsg[]>[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[j - 1]! + 1) j++;
    reads.push(c.msgs.read(sorted[i]!, j - i));
    i = j;
  }
  const bySeq = new Map<number, StoredMsg>();
  for (const got of await Promise.all(reads)) for (const m of got) bySeq.set(m.sequence, m);
  return seqs.map((s) => bySeq.get(s));
}
