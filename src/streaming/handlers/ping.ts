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
  const log = ctx.log;
  if (client === undefined) {
    if (log.traceEnabled) log.trace(`STREAM: Received client ping, sending ping response error=${StanErr.CLIENT_REPLACED}`);
    ctx.transport.publish(reply, encodePingResponse(StanErr.CLIENT_REPLACED));
    return;
  }
  if (log.traceEnabled) log.trace(`STREAM: [Client:${client.id}] Received client ping, sending ping response`);
  ctx.clients.pinged(client);
  ctx.transport.publish(reply, encodePingResponse());
}
