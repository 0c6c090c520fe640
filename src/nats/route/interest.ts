// The two directions of interest between this server and its routes.
// Local interest: how many local subscriptions each `subject [queue]` has,
// told to the routes as nats-server does (RS+ when a plain subject gets its
// first subscription and RS- after its last; for a queue group RS+ with the
// new weight on every change, RS- at zero). Remote interest: which routes
// a locally published message goes to, once per route, with the queue
// groups that route must serve; a group with a local member is served here
// (one member in the whole cluster, local preferred), otherwise by one
// remote member picked by weight.

import type { Match } from '../router.js';
import type { Subscription } from '../subscription.js';
import { rsSub, rsUnsub } from './proto.js';
import type { Route } from './route.js';

export class LocalInterest {
  /** `subject` or `subject queue` → number of local subscriptions. */
  readonly #counts = new Map<string, number>();

  /** Counts a subscription added or removed; returns the RS+/RS- line to send, if any. */
  change(sub: Subscription, added: boolean): string | undefined {
    const key = sub.queue === null ? sub.subject : `${sub.subject} ${sub.queue}`;
    const n = (this.#counts.get(key) ?? 0) + (added ? 1 : -1);
    if (n <= 0) this.#counts.delete(key);
    else this.#counts.set(key, n);
    if (sub.queue !== null) return n > 0 ? rsSub(sub.subject, sub.queue, n) : rsUnsub(sub.subject, sub.queue);
    if (added && n === 1) return rsSub(sub.subject, null, 1);
    if (!added && n <= 0) return rsUnsub(sub.subject, null);
    return undefined;
  }

  /** RS+ lines of the whole local interest (the dump sent to a new route), filtered by `keep`. */
  dump(keep: (subject: string) => boolean): string[] {
    const lines: string[] = [];
    for (const [key, n] of this.#counts) {
      const sp = key.indexOf(' ');
      const subject = sp < 0 ? key : key.slice(0, sp);
      if (!keep(subject)) continue;
      lines.push(sp < 0 ? rsSub(subject, null, 1) : rsSub(subject, key.slice(sp + 1), n));
    }
    return lines;
  }
}

/** One member of a remote queue group, chosen with the probability of its weight. */
function pickWeighted(members: readonly Subscription[]): Subscription {
  if (members.length === 1) return members[0]!;
  let total = 0;
  for (const s of members) total += (s.owner as Route).weights.get(s) ?? 1;
  let r = Math.random() * total;
  for (const s of members) {
    r -= (s.owner as Route).weights.get(s) ?? 1;
    if (r < 0) return s;
  }
  return members[members.length - 1]!;
}

/** Whether a local queue group named `queue` matched (and so serves the message here). */
function servedLocally(local: Match, queue: string): boolean {
  for (const g of local.groups) if (g[0]!.queue === queue) return true;
  return false;
}

/**
 * Sends a locally published message to the routes whose interest matches
 * (`remote`: the remote router's match); returns how many routes took it.
 */
export function forwardToRoutes(remote: Match, local: Match, subject: string, reply: string | undefined, payload: Uint8Array, hdr: number): number {
  const plain = remote.plain;
  const groups = remote.groups;
  if (groups.length === 0) {
    // The common case: plain interest only, usually one subscription per route.
    if (plain.length === 1) {
      (plain[0]!.owner as Route).send(subject, reply, undefined, payload, hdr);
      return 1;
    }
    if (plain.length === 0) return 0;
  }
  const targets = new Map<Route, string[] | undefined>();
  for (const s of plain) targets.set(s.owner as Route, undefined);
  for (const members of groups) {
    const queue = members[0]!.queue!;
    if (servedLocally(local, queue)) continue;
    const route = pickWeighted(members).owner as Route;
    const queues = targets.get(route);
    if (queues === undefined) targets.set(route, [queue]);
    else queues.push(queue);
  }
  for (const [route, queues] of targets) route.send(subject, reply, queues, payload, hdr);
  return targets.size;
}
