// UnsubscribeRequest on the unsubscribe and subscription-close subjects
// (STAN-REFERENCE §2.8): an operation applied after every earlier publish
// is complete; apply.ts checks the subscription, complete.ts answers.

import { decodeUnsubscribeRequest, encodeSubscriptionResponse } from '../codec.js';
import { StanErr } from '../errors.js';
import type { StanContext } from '../context.js';
import { OpKind } from '../ops.js';

export function handleUnsubscribe(ctx: StanContext, data: Uint8Array, reply: string | undefined, close: boolean): void {
  const log = ctx.log;
  const what = close ? 'subscription close' : 'unsubscribe';
  const respond = (error?: string) => {
    if (log.traceEnabled) log.trace(`STREAM: Sending ${what} response${error ? ` error=${error}` : ''}`);
    if (reply !== undefined) ctx.transport.publish(reply, encodeSubscriptionResponse(error ? { error } : {}));
  };
  let r;
  try {
    r = decodeUnsubscribeRequest(data);
  } catch {
    respond(StanErr.INVALID_UNSUB_REQ);
    return;
  }
  if (log.traceEnabled) log.trace(`STREAM: [Client:${r.clientID}] Received ${what} request subject=${r.subject} inbox=${r.inbox}`);
  // Partitioning: another server's channel is its owner's to answer.
  if (ctx.partitions !== undefined && !ctx.partitions.owns(r.subject)) return;
  ctx.sequencer.submit({ kind: OpKind.RemoveSub, clientId: r.clientID, channel: r.subject, inbox: r.inbox, close, reply });
}
