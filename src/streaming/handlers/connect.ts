// ConnectRequest (STAN-REFERENCE §2.2): validation in the Go server's
// order and the duplicate-ID probe, then a connect operation; complete.ts
// sends the ConnectResponse with the subjects.

import { decodeConnectRequest, encodeConnectResponse } from '../codec.js';
import { OpKind } from '../ops.js';
import { StanErr } from '../errors.js';
import type { StanContext } from '../context.js';
import { failureText } from '../failures.js';

const CLIENT_ID = /^[a-zA-Z0-9_-]+$/;

export async function handleConnect(ctx: StanContext, data: Uint8Array, reply: string | undefined): Promise<void> {
  if (reply === undefined) return;
  const log = ctx.log;
  const fail = (error: string) => {
    if (log.traceEnabled) log.trace(`STREAM: Sending connect response error=${error}`);
    ctx.transport.publish(reply, encodeConnectResponse({ error }));
  };
  let req;
  try {
    req = decodeConnectRequest(data);
  } catch {
    fail(StanErr.INVALID_CONN_REQ);
    return;
  }
  if (log.traceEnabled) {
    log.trace(`STREAM: [Client:${req.clientID}] Received connect request hbInbox=${req.heartbeatInbox} protocol=${req.protocol}`);
  }
  if (req.heartbeatInbox === '') return fail(StanErr.INVALID_CONN_REQ);
  if (!CLIENT_ID.test(req.clientID)) return fail(StanErr.INVALID_CLIENT_ID);
  const info = {
    id: req.clientID,
    hbInbox: req.heartbeatInbox,
    connId: req.connID,
    protocol: req.protocol,
    pingInterval: req.pingInterval,
    pingMaxOut: req.pingMaxOut,
  };
  let replace;
  try {
    replace = await ctx.clients.probe(info);
  } catch (err) {
    // A StanError is the probe's answer; anything else still gets one.
    return fail(failureText(log, `[Client:${info.id}] Unable to connect`, err));
  }
  ctx.sequencer.submit({ kind: OpKind.Connect, info, replace, reply });
}
