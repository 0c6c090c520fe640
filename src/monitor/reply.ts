// How every monitoring endpoint answers (STAN-REFERENCE §6): JSON indented
// by two spaces with Go's HTML-safe escapes, `Content-Type:
// application/json` and `Access-Control-Allow-Origin: *`; or, with
// `?callback=fn`, JSONP (`fn(<json>)` as application/javascript).

import type { FastifyReply, FastifyRequest } from 'fastify';
import { param, QueryError, type Query } from './query.js';

/** A JSONP callback must be a (dotted) JavaScript identifier. */
const CALLBACK_RE = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** Go's json.Marshal escapes <, >, & and the two JS line separators. */
const GO_ESCAPES = /[<>&\u2028\u2029]/g;

/** JSON as Go's json.MarshalIndent(v, "", "  ") writes it. */
export function goJson(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(GO_ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function sendJson(req: FastifyRequest, reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  const json = goJson(body);
  const callback = param(req.query as Query, 'callback');
  if (callback !== undefined) {
    if (!CALLBACK_RE.test(callback)) {
      throw new QueryError(`invalid value ${JSON.stringify(callback)} for query parameter "callback": expected a JavaScript function name`);
    }
    return reply.code(status).header('content-type', 'application/javascript').send(Buffer.from(`${callback}(${json})`));
  }
  return reply.code(status).header('access-control-allow-origin', '*').header('content-type', 'application/json').send(Buffer.from(json));
}

/** A plain-text answer, as Go's http.Error writes it. */
export function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(`${text}\n`);
}
