// CONNECT (STAN-REFERENCE §1.3): the client's options and credentials.
// Returns a promise when authentication must finish before the next op;
// it never rejects: a failed authentication closes the connection.

import type { ClientConn, NatsContext } from '../context.js';
import { Err } from '../proto.js';

/** The CONNECT keys this server reads. */
interface ConnectOptions {
  verbose?: boolean;
  pedantic?: boolean;
  echo?: boolean;
  headers?: boolean;
  no_responders?: boolean;
  protocol?: number;
  name?: string;
  lang?: string;
  version?: string;
  user?: string;
  pass?: string;
  auth_token?: string;
}

export function processConnect(ctx: NatsContext, c: ClientConn, json: string): Promise<void> | undefined {
  let o: ConnectOptions;
  try {
    o = JSON.parse(json) as ConnectOptions;
    if (typeof o !== 'object' || o === null) throw new Error('not an object');
  } catch (err) {
    // nats-server closes without an -ERR on a CONNECT it cannot decode.
    c.conn.close('Protocol Violation', undefined, `bad CONNECT: ${(err as Error).message}`);
    return undefined;
  }
  if (o.verbose !== undefined) c.verbose = !!o.verbose;
  if (o.pedantic !== undefined) c.pedantic = !!o.pedantic;
  if (o.echo !== undefined) c.echo = !!o.echo;
  c.headers = !!o.headers && ctx.opts.headers;
  c.noResponders = !!o.no_responders;
  c.name = typeof o.name === 'string' ? o.name : '';
  c.lang = typeof o.lang === 'string' ? o.lang : '';
  c.version = typeof o.version === 'string' ? o.version : '';
  const protocol = o.protocol ?? 0;
  if (protocol !== 0 && protocol !== 1) {
    c.conn.sendErr(Err.BAD_PROTOCOL);
    return undefined;
  }
  c.protocol = protocol;
  if (c.noResponders && !o.headers) {
    c.conn.sendErr(Err.NO_RESPONDERS_NEEDS_HEADERS);
    return undefined;
  }
  const auth = ctx.auth;
  if (!auth.required) {
    c.accept(auth.defaultPermissions(), undefined);
    return undefined;
  }
  return auth
    .authenticate({ user: o.user, pass: o.pass, auth_token: o.auth_token })
    .then((result) => {
      if (c.conn.closed) return;
      if (result === null) {
        ctx.log.error(`${c.conn.who} - authentication error${o.user ? ` for user "${o.user}"` : ''}`);
        c.conn.close('Authentication Failure', Err.AUTH_VIOLATION);
        return;
      }
      c.accept(result.permissions, result.user);
    })
    .catch((err: Error) => c.conn.close('Authentication Failure', Err.AUTH_VIOLATION, err.message));
}
