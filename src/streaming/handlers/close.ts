// CloseRequest (STAN-REFERENCE §2.8): the client is unregistered after
// every publish it sent before is complete; its subscriptions go per the
// table (durables offline, durable queue groups to their shadow).

import { decodeCloseRequest, encodeCloseResponse } from '../codec.js';
import { StanErr } from '../errors.js';
import type { StanContext } from '../context.js';
import { OpKind } from '../ops.js';

export function handleClose(ctx: StanContext, data: Uint8Array, reply: string | undefined): void {
  const log = ctx.log;
  const respond = (error?: string) => {
    if (log.traceEnabled) log.trace(`STREAM: Sending close response${error ? ` error=${error}` : ''}`);
    if (reply !== undefined) ctx.transport.publish(reply, encodeCloseResponse(error));
  };
  let r;
  try {
    r = decodeCloseRequest(data);
  } catch {
    respond(StanErr.INVALID_CLOSE_REQ);
    return;
  }
  if (log.traceEnabled) log.trace(`STREAM: [Client:${r.clientID}] Received close request`);
  ctx.sequencer.submit({ kind: OpKind.Disconnect, clientId: r.clientID, why: 'close request', hbInbox: undefined, reply });
}
