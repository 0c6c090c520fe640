// SUB and UNSUB (STAN-REFERENCE §1.4): a duplicate sid is ignored, UNSUB
// with max counts the messages delivered since the SUB.

import type { Client } from '../client.js';
import { Err, errSubViolation } from '../proto.js';
import { Subscription } from '../subscription.js';

export function processSub(c: Client, subject: string, queue: string | undefined, sid: string): void {
  const q = queue ?? null;
  if (c.perms !== null && !c.perms.canSubscribe(subject, queue)) {
    c.sendErr(errSubViolation(subject, q));
    c.server.log.error(`${c.ip}:${c.port} - cid:${c.cid} - Subscription Violation - User "${c.user ?? ''}", Subject "${subject}"`);
    return;
  }
  if (c.subs.has(sid)) {
    c.sendOk();
    return;
  }
  const max = c.server.opts.maxSubscriptions;
  if (max > 0 && c.subs.size >= max) {
    c.sendErr(Err.MAX_SUBSCRIPTIONS);
    return;
  }
  const sub = c.server.router.subscribe(c, subject, q, sid);
  if (!(sub instanceof Subscription)) {
    // nats-server answers a bad subject or queue name alike.
    c.sendErr(Err.INVALID_SUBJECT);
    return;
  }
  if (c.perms !== null && c.perms.mustCheckDeliveries(subject)) sub.checkDeliveries = true;
  c.subs.set(sid, sub);
  c.sendOk();
}

/** `max` is -1 when UNSUB had no max argument. */
export function processUnsub(c: Client, sid: string, max: number): void {
  const sub = c.subs.get(sid);
  if (sub !== undefined) {
    if (max > 0 && sub.delivered < max) {
      sub.max = max;
    } else {
      c.subs.delete(sid);
      c.server.router.unsubscribe(sub);
    }
  }
  c.sendOk();
}
