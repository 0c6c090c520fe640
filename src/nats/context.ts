// What the client ops (ops/*.ts) reach: the server, through NatsContext,
// and the client connection the op arrived on, through ClientConn. Both
// are interfaces, so an op file is a function of (context, connection,
// arguments) and imports neither the server nor the Client class.

import type { Authenticator } from './auth.js';
import type { SubjectDecoder } from './args.js';
import type { Conn, ConnContext } from './conn.js';
import type { PermissionChecker } from './permissions.js';
import type { Router } from './router.js';
import type { Subscriber, Subscription } from './subscription.js';

export interface NatsContext extends ConnContext {
  readonly router: Router;
  /** How CONNECTs are checked now (config reload replaces it). */
  readonly auth: Authenticator;
  /** Time allowed between accepting a connection and a valid CONNECT. */
  readonly authTimeoutMs: number;
  /** Forgets a closed client connection, keeping what /connz shows of it. */
  removeClient(cid: number): void;
}

/** A client connection as its ops see it: the CONNECT state and the subscriptions. */
export interface ClientConn extends Subscriber {
  readonly conn: Conn;
  // CONNECT options.
  verbose: boolean;
  pedantic: boolean;
  echo: boolean;
  headers: boolean;
  noResponders: boolean;
  protocol: number;
  name: string;
  lang: string;
  version: string;
  /** The user logged in as, if any. */
  readonly user: string | undefined;
  readonly perms: PermissionChecker | null;
  /** Subscriptions by sid. */
  readonly subs: Map<string, Subscription>;
  /** Decoders of PUB subjects and reply subjects. */
  readonly subjects: SubjectDecoder;
  readonly replies: SubjectDecoder;
  /** +OK, when the client asked for verbose replies. */
  sendOk(): void;
  /** Marks the CONNECT accepted (after authentication, where required). */
  accept(perms: PermissionChecker | null, user: string | undefined): void;
}
