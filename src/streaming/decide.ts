// What the active server decides for an operation just before it is
// applied (and a standby or replica never recomputes): a new
// subscription's id and its start position resolved to a sequence
// (STAN-REFERENCE §2.5). The only store read that may wait is the
// timestamp search of TimeDeltaStart.

import type { MsgStore } from '../stores/store.js';
import type { Channels } from './channels.js';
import type { SubscribeOp } from './ops.js';
import { StartPosition } from '../pb/protocol.js';

/** Whether deciding this subscription waits for the store (a timestamp search). */
export function startNeedsRead(op: SubscribeOp, channels: Channels): boolean {
  return op.request.startPosition === StartPosition.TimeDeltaStart && channels.get(op.request.subject) !== undefined;
}

/** Sets op.startSeq from state only (every start position but TimeDeltaStart on an existing channel). */
export function decideSubscribe(op: SubscribeOp, channels: Channels): void {
  const c = channels.get(op.request.subject);
  op.id = c?.nextSubId ?? 1;
  if (c !== undefined) op.startSeq = startFromState(c.msgs, op);
}

/** Sets op.startSeq for TimeDeltaStart: the message before the first at or after (arrival - delta). */
export async function decideTimeStart(op: SubscribeOp, channels: Channels): Promise<void> {
  const c = channels.get(op.request.subject);
  if (c === undefined) return;
  const t = BigInt(op.at) * 1_000_000n - op.request.startTimeDelta;
  const seq = await c.msgs.seqFromTimestamp(t);
  op.startSeq = seq > 0 ? seq - 1 : 0;
}

/** lastSent for a new subscription from its start position (§2.5). */
function startFromState(msgs: MsgStore, op: SubscribeOp): number {
  const { firstSeq: first, lastSeq: last } = msgs;
  const r = op.request;
  switch (r.startPosition) {
    case StartPosition.NewOnly:
      return last;
    case StartPosition.LastReceived:
      return last > 0 ? last - 1 : 0;
    case StartPosition.TimeDeltaStart:
      return op.startSeq; // decideTimeStart's
    case StartPosition.SequenceStart:
      if (r.startSequence < first) return first > 0 ? first - 1 : 0;
      if (r.startSequence > last) return last;
      return r.startSequence > 0 ? r.startSequence - 1 : 0;
    default: // First
      return first > 0 ? first - 1 : 0;
  }
}
