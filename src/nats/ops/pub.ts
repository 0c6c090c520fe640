// PUB and HPUB (STAN-REFERENCE §1.4): permission and subject checks, then
// routing; the no-responders status when nobody received a request; and
// the wait of this producer on a consumer it fed past half of its
// max_pending (nats-server's stalledWait, backlog.ts).

import { core, R_NUM, R_REPLY_OFF, R_SUBJECT_OFF } from '../../core/index.js';
import { payloadOf } from '../args.js';
import type { ClientConn, NatsContext } from '../context.js';
import { Err, errPubViolation, NO_RESPONDERS_HDR } from '../proto.js';

/** Returns the stall to wait on before the next op, if a consumer is backlogged. */
export function processPub(ctx: NatsContext, c: ClientConn, headered: boolean, src: Buffer, ops: Uint32Array, at: number): Promise<void> | undefined {
  const conn = c.conn;
  if (headered && !c.headers) {
    // nats-server drops a client that sends HPUB without negotiating headers.
    conn.close('Protocol Violation', undefined, 'HPUB without headers support');
    return undefined;
  }
  const subject = c.subjects.decode(src, ops, at + R_SUBJECT_OFF);
  // A publisher mostly reuses its reply subject too (its ack inbox).
  const reply = ops[at + R_REPLY_OFF + 1] ? c.replies.decode(src, ops, at + R_REPLY_OFF) : undefined;
  const payload = payloadOf(src, ops, at);
  conn.inMsgs++;
  conn.inBytes += payload.length;
  if (c.pedantic && !core().isValidSubject(subject, false)) {
    conn.sendErr(Err.INVALID_PUBLISH_SUBJECT);
    return undefined;
  }
  if (c.perms !== null && !c.perms.canPublish(subject)) {
    conn.sendErr(errPubViolation(subject));
    ctx.log.error(`${conn.who} - Publish Violation - User "${c.user ?? ''}", Subject "${subject}"`);
    return undefined;
  }
  const hdr = headered ? ops[at + R_NUM]! : -1;
  const router = ctx.router;
  const received = router.route(c, subject, reply, payload, hdr);
  if (received === 0 && reply !== undefined && c.noResponders) sendNoResponders(ctx, c, reply);
  c.sendOk();
  const stalled = router.stalled;
  return stalled === undefined || stalled === conn ? undefined : stalled.stallWait(conn.logName());
}

/** `HMSG <reply> <sid> 16 16` + `NATS/1.0 503`, to the requester's own reply subscription. */
function sendNoResponders(ctx: NatsContext, c: ClientConn, reply: string): void {
  const m = ctx.router.match(reply);
  const sub = m.plain.find((s) => s.owner === c) ?? m.groups.flat().find((s) => s.owner === c);
  if (sub) c.deliver(sub, reply, undefined, NO_RESPONDERS_HDR, NO_RESPONDERS_HDR.length);
}
