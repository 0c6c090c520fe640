// The wire text of the route protocol of nats-server 2.9 (route.go): the
// route INFO and CONNECT, RS+/RS- and the RMSG/HMSG control lines. Only the
// global account `$G` is spoken: this server has no accounts.

import { CRLF, type ServerInfoFields } from '../proto.js';

export const GLOBAL_ACCOUNT = '$G';

/** nats-server's RouteProtoV2: accounts in RS+/RMSG. */
export const ROUTE_PROTO = 2;

/** The INFO a server sends on a route (nats-server's Info, route fields). */
export interface RouteInfo extends ServerInfoFields {
  nonce?: string;
  cluster?: string;
  dynamic?: boolean;
  /** `nats-route://host:port/` of the route listener, when gossiped. */
  ip?: string;
  /** The client URLs of that server. */
  connect_urls?: string[];
  import?: { allow?: string[]; deny?: string[] };
  export?: { allow?: string[]; deny?: string[] };
}

/** The CONNECT a soliciting server sends (nats-server's connectInfo). */
export interface RouteConnect {
  echo: boolean;
  verbose: boolean;
  pedantic: boolean;
  user?: string;
  pass?: string;
  tls_required: boolean;
  headers: boolean;
  name: string;
  cluster: string;
  dynamic?: boolean;
  lang?: string;
}

export function routeInfoLine(info: RouteInfo): string {
  return `INFO ${JSON.stringify(info)} ${CRLF}`;
}

export function routeConnectLine(c: RouteConnect): string {
  return `CONNECT ${JSON.stringify(c)}${CRLF}`;
}

/** `RS+ $G subject[ queue weight]` (without CRLF, for traces too). */
export function rsSub(subject: string, queue: string | null, weight: number): string {
  return queue === null ? `RS+ ${GLOBAL_ACCOUNT} ${subject}` : `RS+ ${GLOBAL_ACCOUNT} ${subject} ${queue} ${weight}`;
}

/** `RS- $G subject[ queue]` (without CRLF). */
export function rsUnsub(subject: string, queue: string | null): string {
  return queue === null ? `RS- ${GLOBAL_ACCOUNT} ${subject}` : `RS- ${GLOBAL_ACCOUNT} ${subject} ${queue}`;
}

/**
 * The control line of a routed message: `RMSG $G subject [reply | + reply
 * queues | | queues] size`, or HMSG with the header size (hdr >= 0).
 */
export function rmsgLine(subject: string, reply: string | undefined, queues: readonly string[] | undefined, hdr: number, size: number): string {
  let mid = '';
  if (queues !== undefined && queues.length > 0) {
    mid = reply === undefined ? ` | ${queues.join(' ')}` : ` + ${reply} ${queues.join(' ')}`;
  } else if (reply !== undefined) {
    mid = ` ${reply}`;
  }
  const sizes = hdr >= 0 ? `${hdr} ${size}` : `${size}`;
  return `${hdr >= 0 ? 'HMSG' : 'RMSG'} ${GLOBAL_ACCOUNT} ${subject}${mid} ${sizes}${CRLF}`;
}
