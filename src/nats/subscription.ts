// A subscription and what owns it: a socket connection (Client) or an
// in-process client of the streaming layer (InternalClient). Both receive
// messages through Subscriber.deliver, so routing does not care which.

import type { PermissionChecker } from './permissions.js';

export interface Subscriber {
  /** Connection id (/connz `cid`); internal clients have ids too. */
  readonly cid: number;
  /** False: this subscriber's own publishes are not delivered to it. */
  readonly echo: boolean;
  /** Publish/subscribe permissions, or null for "everything allowed". */
  readonly perms: PermissionChecker | null;
  /**
   * Delivers one message. `payload` includes the headers when hdr >= 0
   * (their length); it is a view into the publisher's buffer, valid only
   * during the call: copy it to keep it.
   */
  deliver(sub: Subscription, subject: string, reply: string | undefined, payload: Uint8Array, hdr: number): void;
  /** The router removed `sub` by itself (UNSUB max reached). */
  released(sub: Subscription): void;
}

export class Subscription {
  /** Messages delivered so far (for UNSUB max). */
  delivered = 0;
  /** Auto-unsubscribe after this many messages; 0 = never. */
  max = 0;
  closed = false;
  /** Set when a deny permission may apply to some messages of a wildcard subscription. */
  checkDeliveries = false;
  /**
   * The encoded MSG line of the last message without reply delivered here,
   * and the subject and size it was for: a stream of messages on one
   * subject reuses it instead of formatting and encoding a line each time.
   */
  line: Buffer | undefined;
  lineSubject = '';
  lineSize = -1;

  constructor(
    /** Id in the subject trie. */
    readonly id: number,
    readonly owner: Subscriber,
    readonly subject: string,
    readonly queue: string | null,
    /** The client's subscription id (SUB's sid). */
    readonly sid: string,
  ) {}
}
