// Protocol tracing (-V) in nats-server's format: `<prefix> - <<- [PUB foo 5]`
// for an op received (traceInOp), `<prefix> - ->> [MSG foo 1 5]` for one
// sent (traceOutOp). The prefix is the connection's (`ip:port - cid:N`,
// then the client's name once CONNECT gave one). Callers check
// log.traceEnabled first, so tracing costs nothing when it is off.

import { FLAG_HAS_NUM, Op, R_KIND, R_NUM, R_REPLY_OFF, R_SID_OFF, R_SUBJECT_OFF } from '../core/index.js';
import { goQuote, redactConnect } from '../log/quote.js';
import type { Logger } from '../log/logger.js';
import { optText, payloadOf, text } from './args.js';

/** Traces the op record at `at`; ops that nats-server does not trace are skipped. */
export function traceIn(log: Logger, prefix: string, kind: number, src: Buffer, ops: Uint32Array, at: number): void {
  let op: string;
  switch (kind) {
    case Op.PUB:
    case Op.HPUB: {
      const reply = optText(src, ops, at + R_REPLY_OFF);
      const payload = payloadOf(src, ops, at);
      const hdr = kind === Op.HPUB ? ` ${ops[at + R_NUM]!}` : '';
      op = `${kind === Op.HPUB ? 'HPUB' : 'PUB'} ${text(src, ops, at + R_SUBJECT_OFF)}${reply ? ` ${reply}` : ''}${hdr} ${payload.length}`;
      log.trace(`${prefix} - <<- [${op}]`);
      log.trace(`${prefix} - <<- MSG_PAYLOAD: [${goQuote(payload)}]`);
      return;
    }
    case Op.SUB: {
      const queue = optText(src, ops, at + R_REPLY_OFF);
      op = `SUB ${text(src, ops, at + R_SUBJECT_OFF)}${queue ? ` ${queue}` : ''} ${text(src, ops, at + R_SID_OFF)}`;
      break;
    }
    case Op.UNSUB:
      op = `UNSUB ${text(src, ops, at + R_SID_OFF)}${ops[at + R_KIND]! & FLAG_HAS_NUM ? ` ${ops[at + R_NUM]!}` : ''}`;
      break;
    case Op.CONNECT:
      op = `CONNECT ${redactConnect(text(src, ops, at + R_SUBJECT_OFF))}`;
      break;
    case Op.PING:
      op = 'PING';
      break;
    case Op.PONG:
      op = 'PONG';
      break;
    default:
      return;
  }
  log.trace(`${prefix} - <<- [${op}]`);
}

/** Traces an op sent (`op` without its CRLF). */
export function traceOut(log: Logger, prefix: string, op: string): void {
  log.trace(`${prefix} - ->> [${op}]`);
}
