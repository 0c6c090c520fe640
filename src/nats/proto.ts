// All wire text of the core NATS protocol that the server sends: the INFO
// line, PING/PONG/+OK, MSG/HMSG headers and the exact -ERR texts of
// nats-server v2.9 (STAN-REFERENCE §1.2, §1.4, §1.7). Clients parse these
// strings (node `nats` v1 needs the single quotes), so they are pinned by
// test/nats/proto.test.ts and written nowhere else.

export const CRLF = '\r\n';
export const PING = Buffer.from('PING\r\n');
export const PONG = Buffer.from('PONG\r\n');
export const OK = Buffer.from('+OK\r\n');

/** -ERR texts; `close` says whether nats-server drops the connection after it. */
export const Err = {
  UNKNOWN_OP: { text: 'Unknown Protocol Operation', close: true },
  AUTH_VIOLATION: { text: 'Authorization Violation', close: true },
  AUTH_TIMEOUT: { text: 'Authentication Timeout', close: true },
  MAX_PAYLOAD: { text: 'Maximum Payload Violation', close: true },
  MAX_CONTROL_LINE: { text: 'maximum control line exceeded', close: true },
  BAD_PROTOCOL: { text: 'invalid client protocol', close: true },
  NO_RESPONDERS_NEEDS_HEADERS: { text: 'no responders requires headers support', close: true },
  STALE: { text: 'Stale Connection', close: true },
  MAX_CONNECTIONS: { text: 'maximum connections exceeded', close: true },
  TLS_REQUIRED: { text: 'Secure Connection - TLS Required', close: true },
  INVALID_SUBJECT: { text: 'Invalid Subject', close: false },
  INVALID_PUBLISH_SUBJECT: { text: 'Invalid Publish Subject', close: false },
  MAX_SUBSCRIPTIONS: { text: 'maximum subscriptions exceeded', close: false },
} as const;
export type ErrSpec = { readonly text: string; readonly close: boolean };

/** Go's %q of a subject, as in nats-server's permission errors. */
function quote(s: string): string {
  return JSON.stringify(s);
}

export function errPubViolation(subject: string): ErrSpec {
  return { text: `Permissions Violation for Publish to ${quote(subject)}`, close: false };
}

export function errReplyViolation(reply: string): ErrSpec {
  return { text: `Permissions Violation for Publish with Reply of ${quote(reply)}`, close: false };
}

export function errSubViolation(subject: string, queue: string | null): ErrSpec {
  const q = queue ? ` using queue ${quote(queue)}` : '';
  return { text: `Permissions Violation for Subscription to ${quote(subject)}${q}`, close: false };
}

/** `-ERR '<text>'\r\n` */
export function errLine(e: ErrSpec): Buffer {
  return Buffer.from(`-ERR '${e.text}'\r\n`);
}

/** The fields of nats-server's Info that a client INFO and a route INFO share. */
export interface ServerInfoFields {
  server_id: string;
  server_name: string;
  version: string;
  proto: number;
  go?: string;
  host: string;
  port: number;
  headers: boolean;
  max_payload: number;
  auth_required?: boolean;
  tls_required?: boolean;
}

/** The INFO fields of STAN-REFERENCE §1.2 that this server sends. */
export interface InfoFields extends ServerInfoFields {
  go: string;
  tls_verify?: boolean;
  client_id?: number;
  client_ip?: string;
  connect_urls?: string[];
}

/** `INFO {json} \r\n`, with the space before CRLF that real servers send. */
export function infoLine(info: InfoFields): Buffer {
  return Buffer.from(`INFO ${JSON.stringify(info)} ${CRLF}`);
}

/**
 * The INFO line of each new connection: the server's fields then the
 * client's id and address, as infoLine({...info, client_id, client_ip})
 * writes it. The JSON of the server's fields is made again only when one
 * of them changed (compared field by field, arrays by their items):
 * stringifying them for each of thousands of connections cost more than
 * the rest of the accept.
 */
export class ClientInfoLines {
  #seen: Record<string, unknown> = {};
  #json = '';

  line(info: InfoFields, cid: number, ip: string): Buffer {
    if (!sameFields(info as unknown as Record<string, unknown>, this.#seen)) {
      const seen: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(info)) seen[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
      this.#seen = seen;
      this.#json = JSON.stringify(info).slice(0, -1);
    }
    const sep = this.#json.length > 1 ? ',' : '';
    return Buffer.from(`INFO ${this.#json}${sep}"client_id":${cid},"client_ip":${JSON.stringify(ip)}} ${CRLF}`);
  }
}

function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return true;
}

/** The control line of a MSG (hdr < 0) or HMSG to a subscriber. */
export function msgLine(subject: string, sid: string, reply: string | undefined, hdr: number, size: number): string {
  if (hdr >= 0) {
    return reply === undefined
      ? `HMSG ${subject} ${sid} ${hdr} ${size}\r\n`
      : `HMSG ${subject} ${sid} ${reply} ${hdr} ${size}\r\n`;
  }
  return reply === undefined ? `MSG ${subject} ${sid} ${size}\r\n` : `MSG ${subject} ${sid} ${reply} ${size}\r\n`;
}

/** Headers of the no-responders status message (STAN-REFERENCE §1.4). */
export const NO_RESPONDERS_HDR = Buffer.from('NATS/1.0 503\r\n\r\n');
