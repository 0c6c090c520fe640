// UNSUB (STAN-REFERENCE §1.4): removes a subscription now, or after `max`
// messages counted since its SUB; an unknown sid is not an error.

import type { ClientConn, NatsContext } from '../context.js';

/** `max` is -1 when UNSUB had no max argument. */
export function processUnsub(ctx: NatsContext, c: ClientConn, sid: string, max: number): void {
  const sub = c.subs.get(sid);
  if (sub !== undefined) {
    if (max > 0 && sub.delivered < max) {
      sub.max = max;
    } else {
      c.subs.delete(sid);
      ctx.router.unsubscribe(sub);
    }
  }
  c.sendOk();
}
