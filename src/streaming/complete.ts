// Completing an applied operation on the active server: the response to
// the requester (ConnectResponse, SubscriptionResponse, CloseResponse...)
// and what follows it, in the order the protocol needs: a new
// subscription's response goes out before its first message (§2.5). A
// standby applies operations and completes none.

import type { Logger } from '../log/logger.js';
import type { ServerInfo } from '../stores/store.js';
import type { ApplyResult } from './apply.js';
import { encodeCloseResponse, encodeConnectResponse, encodeSubscriptionResponse } from './codec.js';
import type { Delivery } from './delivery.js';
import { type ConnectOp, type ControlOp, OpKind, type RemoveSubOp, type SubscribeOp } from './ops.js';
import type { NatsTransport } from './transport.js';

export class Completer {
  constructor(
    private readonly transport: NatsTransport,
    private readonly delivery: Delivery,
    private readonly log: Logger,
    /** The server's subjects (read at each connect: recovery may replace them). */
    private readonly info: () => ServerInfo,
  ) {}

  complete(op: ControlOp, r: ApplyResult): void {
    switch (op.kind) {
      case OpKind.Connect:
        return this.#connected(op, r);
      case OpKind.Subscribe:
        return this.#subscribed(op, r);
      case OpKind.RemoveSub:
        return this.#removed(op, r);
      case OpKind.Disconnect: {
        if (op.reply === undefined) return;
        if (this.log.traceEnabled) this.log.trace(`STREAM: Sending close response${r.error ? ` error=${r.error}` : ''}`);
        this.transport.publish(op.reply, encodeCloseResponse(r.error));
        return;
      }
      default:
        return;
    }
  }

  #connected(op: ConnectOp, r: ApplyResult): void {
    const log = this.log;
    const id = op.info.id;
    if (r.error !== undefined) {
      if (log.traceEnabled) log.trace(`STREAM: Sending connect response error=${r.error}`);
      this.transport.publish(op.reply, encodeConnectResponse({ error: r.error }));
      return;
    }
    const s = this.info();
    const req = op.info;
    const res = {
      pubPrefix: s.publish,
      subRequests: s.subscribe,
      unsubRequests: s.unsubscribe,
      closeRequests: s.close,
      subCloseRequests: s.subClose,
      protocol: 1,
      ...(req.protocol >= 1 ? { pingRequests: `${s.discovery}.pings`, pingInterval: req.pingInterval, pingMaxOut: req.pingMaxOut } : {}),
    };
    log.debug(`STREAM: [Client:${id}] Connected (Inbox=${req.hbInbox})`);
    if (log.traceEnabled) log.trace(`STREAM: [Client:${id}] Sending connect response pubPrefix=${res.pubPrefix}`);
    this.transport.publish(op.reply, encodeConnectResponse(res));
  }

  #subscribed(op: SubscribeOp, r: ApplyResult): void {
    const log = this.log;
    const sub = r.sub;
    if (sub === undefined) {
      if (log.traceEnabled) log.trace(`STREAM: Sending subscription response error=${r.error}`);
      this.transport.publish(op.reply, encodeSubscriptionResponse({ error: r.error }));
      return;
    }
    const q = op.request;
    log.debug(
      `STREAM: [Client:${q.clientID}] Started new subscription, subject=${q.subject}, inbox=${q.inbox}` +
        `${q.qGroup ? `, queue=${q.qGroup}` : ''}${q.durableName ? `, durable=${q.durableName}` : ''}`,
    );
    if (log.traceEnabled) log.trace(`STREAM: [Client:${q.clientID}] Sending subscription response ackInbox=${sub.state.ackInbox}`);
    this.transport.publish(op.reply, encodeSubscriptionResponse({ ackInbox: sub.state.ackInbox }));
    this.delivery.start(sub);
  }

  #removed(op: RemoveSubOp, r: ApplyResult): void {
    const log = this.log;
    if (r.error === undefined) log.debug(`STREAM: [Client:${op.clientId}] ${op.close ? 'Closed' : 'Unsubscribed'} subscription on ${op.channel}`);
    if (log.traceEnabled) log.trace(`STREAM: Sending ${op.close ? 'subscription close' : 'unsubscribe'} response${r.error ? ` error=${r.error}` : ''}`);
    if (op.reply !== undefined) this.transport.publish(op.reply, encodeSubscriptionResponse(r.error ? { error: r.error } : {}));
  }
}
