// ConnectRequest (STAN-REFERENCE §2.2): validation in the Go server's
// order, duplicate-ID handling, and the ConnectResponse with the subjects.

import { decodeConnectRequest, encodeConnectResponse } from '../codec.js';
import { StanErr, StanError } from '../errors.js';
import type { StanContext } from '../context.js';

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
  try {
    await ctx.clients.register({
      id: req.clientID,
      hbInbox: req.heartbeatInbox,
      connId: req.connID,
      protocol: req.protocol,
      pingInterval: req.pingInterval,
      pingMaxOut: req.pingMaxOut,
    });
  } catch (err) {
    if (err instanceof StanError) return fail(err.message);
    throw err;
  }
  const s = ctx.info;
  const res = {
    pubPrefix: s.publish,
    subRequests: s.subscribe,
    unsubRequests: s.unsubscribe,
    closeRequests: s.close,
    subCloseRequests: s.subClose,
    protocol: 1,
    ...(req.protocol >= 1 ? { pingRequests: `${s.discovery}.pings`, pingInterval: req.pingInterval, pingMaxOut: req.pingMaxOut } : {}),
  };
  ctx.log.debug(`STREAM: [Client:${req.clientID}] Connected (Inbox=${req.heartbeatInbox})`);
  if (log.traceEnabled) log.trace(`STREAM: [Client:${req.clientID}] Sending connect response pubPrefix=${res.pubPrefix}`);
  ctx.transport.publish(reply, encodeConnectResponse(res));
}
