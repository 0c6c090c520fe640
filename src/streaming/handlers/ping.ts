// Ping (STAN-REFERENCE §2.3 B): by connID; an empty PingResponse (zero
// bytes) for a known connection, the "replaced" error otherwise.

import { decodePing, encodePingResponse } from '../codec.js';
import { StanErr } from '../errors.js';
import type { StanContext } from '../context.js';

export function handlePing(ctx: StanContext, data: Uint8Array, reply: string | undefined): void {
  if (reply === undefined || data.length === 0) return;
  let connID;
  try {
    connID = decodePing(data).connID;
  } catch {
    return;
  }
  const client = ctx.clients.byConnId(connID);
  if (client === undefined) {
    ctx.transport.publish(reply, encodePingResponse(StanErr.CLIENT_REPLACED));
    return;
  }
  ctx.clients.pinged(client);
  ctx.transport.publish(reply, encodePingResponse());
}
