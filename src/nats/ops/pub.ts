// PUB and HPUB (STAN-REFERENCE §1.4): permission and subject checks, then
// routing; the no-responders status when nobody received a request.

import { core, R_REPLY_OFF, R_SUBJECT_OFF, R_NUM } from '../../core/index.js';
import { payloadOf } from '../args.js';
import type { Client } from '../client.js';
import { Err, errPubViolation, NO_RESPONDERS_HDR } from '../proto.js';

export function processPub(c: Client, headered: boolean, src: Buffer, ops: Uint32Array, at: number): void {
  if (headered && !c.headers) {
    // nats-server drops a client that sends HPUB without negotiating headers.
    c.close('Protocol Violation', undefined, 'HPUB without headers support');
    return;
  }
  const subject = c.subjects.decode(src, ops, at + R_SUBJECT_OFF);
  // A publisher mostly reuses its reply subject too (its ack inbox).
  const reply = ops[at + R_REPLY_OFF + 1] ? c.replies.decode(src, ops, at + R_REPLY_OFF) : undefined;
  const payload = payloadOf(src, ops, at);
  c.inMsgs++;
  c.inBytes += payload.length;
  if (c.pedantic && !core().isValidSubject(subject, false)) {
    c.sendErr(Err.INVALID_PUBLISH_SUBJECT);
    return;
  }
  if (c.perms !== null && !c.perms.canPublish(subject)) {
    c.sendErr(errPubViolation(subject));
    c.server.log.error(`${c.ip}:${c.port} - cid:${c.cid} - Publish Violation - User "${c.user ?? ''}", Subject "${subject}"`);
    return;
  }
  const hdr = headered ? ops[at + R_NUM]! : -1;
  const received = c.server.router.route(c, subject, reply, payload, hdr);
  if (received === 0 && reply !== undefined && c.noResponders) sendNoResponders(c, reply);
  c.sendOk();
}

/** `HMSG <reply> <sid> 16 16` + `NATS/1.0 503`, to the requester's own reply subscription. */
function sendNoResponders(c: Client, reply: string): void {
  const m = c.server.router.match(reply);
  const sub = m.plain.find((s) => s.owner === c) ?? m.groups.flat().find((s) => s.owner === c);
  if (sub) c.deliver(sub, reply, undefined, NO_RESPONDERS_HDR, NO_RESPONDERS_HDR.length);
}
