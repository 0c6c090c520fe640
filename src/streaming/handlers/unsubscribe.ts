// UnsubscribeRequest on the unsubscribe and subscription-close subjects
// (STAN-REFERENCE §2.8): run after every earlier publish is complete.

import { decodeUnsubscribeRequest, encodeSubscriptionResponse } from '../codec.js';
import { StanErr } from '../errors.js';
import type { StanContext } from '../context.js';

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
  ctx.pipeline.control(() => {
    const c = ctx.channels.get(r.subject);
    // The Go server answers an unknown channel as an unknown subscription
    // (server.go: ErrInvalidSub); STAN-REFERENCE §2.8 says `stan: unknown
    // channel`, a text no Go source we could read contains.
    if (c === undefined) return respond(StanErr.INVALID_SUB);
    const sub = c.findSub(r.inbox);
    if (sub === undefined) return respond(StanErr.INVALID_SUB);
    const client = ctx.clients.get(r.clientID);
    if (client === undefined || sub.client !== client) return respond(StanErr.UNKNOWN_CLIENT);
    ctx.subs.remove(sub, close ? 'close' : 'unsubscribe');
    ctx.log.debug(`STREAM: [Client:${r.clientID}] ${close ? 'Closed' : 'Unsubscribed'} subscription on ${r.subject}`);
    respond();
  });
}
