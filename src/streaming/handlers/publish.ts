// PubMsg (STAN-REFERENCE §2.4): validated, applied at once as a publish
// operation (a sequence per channel, a monotonic timestamp decided here),
// and completed by the sequencer: flush, delivery, then the PubAck.

import { decodePubMsg, isCtrlMsg } from '../codec.js';
import { isValidChannel } from '../../subject/channel-name.js';
import { StanErr, StanError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { StanContext } from '../context.js';
import type { PubMsgView } from '../../pb/hot.js';
import { CLIENT_CHECK_TIMEOUT_MS } from '../partitions.js';

/** `waited`: the publisher's connect was waited for already (partitioning). */
export function handlePublish(ctx: StanContext, data: Uint8Array, reply: string | undefined, waited = false): void {
  let pm;
  try {
    pm = decodePubMsg(data);
  } catch {
    // Legacy inter-server control traffic is ignored silently.
    if (!isCtrlMsg(data)) ctx.sequencer.reject(reply, '', StanErr.INVALID_PUB_REQ);
    return;
  }
  const log = ctx.log;
  if (log.traceEnabled) log.trace(`STREAM: [Client:${pm.clientID}] Received message from publisher subj=${pm.subject} guid=${pm.guid}`);
  // (No closure for the error path: this function runs per message.)
  if (pm.guid === '' || !isValidChannel(pm.subject)) return fail(ctx, pm, reply, StanErr.INVALID_PUB_REQ);
  // A connID identifies the publisher alone: that fences a replaced client.
  const client = pm.connID.length > 0 ? ctx.clients.byConnId(pm.connID) : ctx.clients.get(pm.clientID);
  if (client === undefined) {
    if (ctx.partitions === undefined || waited) return fail(ctx, pm, reply, StanErr.INVALID_PUB_REQ);
    return waitForPublisher(ctx, pm, Uint8Array.prototype.slice.call(data), reply);
  }
  const op = ctx.sequencer.publishOp;
  op.channel = pm.subject;
  op.data = pm.data;
  op.reply = pm.reply;
  op.timestamp = nowNs(ctx.clock);
  let c;
  try {
    c = ctx.sequencer.publish(op, reply, pm.guid);
  } catch (err) {
    if (err instanceof StanError) return fail(ctx, pm, reply, err.message);
    // A store that cannot take the message (disk full, I/O error): the
    // publisher gets the error text in its PubAck, as the Go server sends it.
    ctx.log.error(`STREAM: [Client:${client.id}] Error storing message on "${pm.subject}": ${(err as Error).message}`);
    return fail(ctx, pm, reply, (err as Error).message);
  } finally {
    op.data = EMPTY; // not kept past the apply: it may be a view into a read buffer
  }
  c.lastActive = lastMs;
  c.inBytes += data.length;
  // The PubAck leaves once the batch is complete (sequencer.ts).
  if (log.traceEnabled) log.trace(`STREAM: [Client:${pm.clientID}] Acking Publisher subj=${pm.subject} guid=${pm.guid} seq=${c.msgs.lastSeq}`);
}

/**
 * Partitioning: the connect that answered the publisher may have been
 * another server's, and this one's may still be on its way; the message
 * (a copy: `data` may be a reused buffer) is handled once it is, or
 * refused after CLIENT_CHECK_TIMEOUT_MS (Go's clientCheckTimeout).
 */
function waitForPublisher(ctx: StanContext, pm: PubMsgView, data: Uint8Array, reply: string | undefined): void {
  void ctx.clients.waitFor(pm.clientID, pm.connID.length > 0 ? Uint8Array.prototype.slice.call(pm.connID) : undefined, CLIENT_CHECK_TIMEOUT_MS).then(() =>
    handlePublish(ctx, data, reply, true),
  );
}

/** A PubAck carrying an error, sent in order with the others. */
function fail(ctx: StanContext, pm: PubMsgView, reply: string | undefined, error: string): void {
  if (ctx.log.traceEnabled) ctx.log.trace(`STREAM: [Client:${pm.clientID}] Acking Publisher subj=${pm.subject} guid=${pm.guid} error=${error}`);
  ctx.sequencer.reject(reply, pm.guid, error);
}

const EMPTY = new Uint8Array(0);

let lastMs = 0;
let lastNs = 0n;
/** performance.now() when the clock was first seen at lastMs. */
let perfAtMs = 0;

/**
 * Wall clock in Unix ns, as the Go server stamps messages (time.Now()):
 * the millisecond from the clock (Date.now()), the microseconds within it from the
 * monotonic clock since that millisecond was first seen (capped below the
 * next one, so stamps never go back), so that messages of one millisecond
 * keep their order and distinct stamps.
 */
function nowNs(clock: Clock): bigint {
  const ms = clock.now();
  const perf = performance.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastNs = BigInt(ms) * 1_000_000n;
    perfAtMs = perf;
    return lastNs;
  }
  const us = Math.min(999, Math.floor((perf - perfAtMs) * 1000));
  return us <= 0 ? lastNs : lastNs + BigInt(us * 1000);
}
