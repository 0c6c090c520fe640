// SubscriptionRequest (STAN-REFERENCE §2.5): validation in the Go server's
// order, then a subscribe operation with a new ack inbox and the arrival
// time; the sequencer resolves its start position, applies it and sends
// the SubscriptionResponse before the first message (complete.ts).

import { decodeSubscriptionRequest, encodeSubscriptionResponse } from '../codec.js';
import { isValidChannel } from '../../subject/channel-name.js';
import { StanErr } from '../errors.js';
import type { StanContext } from '../context.js';
import { newInbox } from '../nuid.js';
import { OpKind } from '../ops.js';
import { CLIENT_CHECK_TIMEOUT_MS } from '../partitions.js';

/** StartPosition values run 0 (NewOnly) to 4 (First). */
const MAX_START_POSITION = 4;

export function handleSubscribe(ctx: StanContext, data: Uint8Array, reply: string | undefined): void {
  if (reply === undefined) return;
  const log = ctx.log;
  const fail = (error: string) => {
    if (log.traceEnabled) log.trace(`STREAM: Sending subscription response error=${error}`);
    ctx.transport.publish(reply, encodeSubscriptionResponse({ error }));
  };
  let r;
  try {
    r = decodeSubscriptionRequest(data);
  } catch {
    return fail(StanErr.INVALID_SUB_REQ);
  }
  if (log.traceEnabled) {
    log.trace(
      `STREAM: [Client:${r.clientID}] Received subscription request subject=${r.subject} inbox=${r.inbox} queue=${r.qGroup} ` +
        `durable=${r.durableName} start=${r.startPosition} maxInflight=${r.maxInFlight} ackWait=${r.ackWaitInSecs}s`,
    );
  }
  if (r.clientID === '') return fail(StanErr.MISSING_CLIENT);
  if (r.ackWaitInSecs <= 0) return fail(StanErr.INVALID_ACK_WAIT);
  if (r.maxInFlight <= 0) return fail(StanErr.INVALID_MAX_INFLIGHT);
  if (r.startPosition < 0 || r.startPosition > MAX_START_POSITION) return fail(StanErr.INVALID_START);
  if (!isValidChannel(r.subject)) return fail(StanErr.INVALID_SUBJECT);
  const submit = () =>
    ctx.sequencer.submit({ kind: OpKind.Subscribe, request: r, ackInbox: newInbox(), id: 0, startSeq: 0, at: ctx.clock.now(), reply });
  if (ctx.partitions !== undefined) {
    // Another server's channel: its owner answers (Go: no error from here).
    if (!ctx.partitions.owns(r.subject)) return;
    if (ctx.clients.get(r.clientID) === undefined) {
      void ctx.clients.waitFor(r.clientID, undefined, CLIENT_CHECK_TIMEOUT_MS).then((c) => {
        if (c !== undefined) return submit();
        log.error(`STREAM: [Client:${r.clientID}] Rejecting subscription on ${JSON.stringify(r.subject)}: connection not created yet`);
        fail(StanErr.INVALID_SUB_REQ);
      });
      return;
    }
  } else if (ctx.clients.get(r.clientID) === undefined) return fail(StanErr.UNKNOWN_CLIENT);
  submit();
}
