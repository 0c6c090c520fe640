// SUB (STAN-REFERENCE §1.4): permission, limit and subject checks, then a
// subscription in the router; a duplicate sid is ignored.

import type { ClientConn, NatsContext } from '../context.js';
import { Err, errSubViolation } from '../proto.js';
import { Subscription } from '../subscription.js';

export function processSub(ctx: NatsContext, c: ClientConn, subject: string, queue: string | undefined, sid: string): void {
  const q = queue ?? null;
  if (c.perms !== null && !c.perms.canSubscribe(subject, queue)) {
    c.conn.sendErr(errSubViolation(subject, q));
    ctx.log.error(`${c.conn.who} - Subscription Violation - User "${c.user ?? ''}", Subject "${subject}"`);
    return;
  }
  if (c.subs.has(sid)) {
    c.sendOk();
    return;
  }
  const max = ctx.opts.maxSubscriptions;
  if (max > 0 && c.subs.size >= max) {
    c.conn.sendErr(Err.MAX_SUBSCRIPTIONS);
    return;
  }
  const sub = ctx.router.subscribe(c, subject, q, sid);
  if (!(sub instanceof Subscription)) {
    // nats-server answers a bad subject or queue name alike.
    c.conn.sendErr(Err.INVALID_SUBJECT);
    return;
  }
  if (c.perms !== null && c.perms.mustCheckDeliveries(subject)) sub.checkDeliveries = true;
  c.subs.set(sid, sub);
  c.sendOk();
}
