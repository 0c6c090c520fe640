// SubscriptionRequest (STAN-REFERENCE §2.5): validation in the Go server's
// order; the SubscriptionResponse is sent before the subscription starts,
// so it reaches the client before the first message.

import { decodeSubscriptionRequest, encodeSubscriptionResponse } from '../codec.js';
import { isValidChannel } from '../../subject/channel-name.js';
import { StanErr, StanError } from '../errors.js';
import type { StanContext } from '../context.js';

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
  const client = ctx.clients.get(r.clientID);
  if (client === undefined) return fail(StanErr.UNKNOWN_CLIENT);
  let sub;
  try {
    const c = ctx.channels.lookupOrCreate(r.subject);
    sub = ctx.subs.add(client, c, r);
  } catch (err) {
    if (err instanceof StanError) return fail(err.message);
    throw err;
  }
  ctx.log.debug(
    `STREAM: [Client:${r.clientID}] Started new subscription, subject=${r.subject}, inbox=${r.inbox}` +
      `${r.qGroup ? `, queue=${r.qGroup}` : ''}${r.durableName ? `, durable=${r.durableName}` : ''}`,
  );
  if (log.traceEnabled) log.trace(`STREAM: [Client:${r.clientID}] Sending subscription response ackInbox=${sub.state.ackInbox}`);
  ctx.transport.publish(reply, encodeSubscriptionResponse({ ackInbox: sub.state.ackInbox }));
  ctx.subs.start(sub);
}
