// PING and PONG (STAN-REFERENCE §1.4, §1.8), the same on every kind of
// connection: a PING is answered at once; a PONG answers our keep-alive
// PINGs (Conn counts the unanswered ones to detect a stale connection).

import type { Conn } from '../conn.js';
import { PONG } from '../proto.js';

export function processPing(c: Conn): void {
  if (c.ctx.log.traceEnabled) c.traceOut('PONG');
  c.outbound.bytes(PONG);
}

export function processPong(c: Conn): void {
  c.pingsOut = 0;
}
