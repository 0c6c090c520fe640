// Routing of published messages (STAN-REFERENCE §1.4, §1.6): every plain
// subscription whose subject matches gets the message, and one member,
// chosen at random, of each matching queue group. The subject trie is the
// Rust core's; matched ids are resolved here to Subscription objects and
// kept in a cache that any insert or remove empties, so a repeated subject
// costs one Map lookup and never crosses into the core.
//
// With a cluster (route/cluster.ts) two hooks join it: `interest` hears every
// local subscription come and go (RS+/RS- to the routes), and `forward`
// sends each locally published message to the routes that want it;
// messages arriving from a route go to routed(), which never forwards.

import { core, SubjectCheck, type SubjectCheckCode, type Sublist } from '../core/index.js';
import type { Conn } from './conn.js';
import { Subscription, type Subscriber } from './subscription.js';

/** Most subjects whose resolved matches are kept. */
const CACHE_MAX = 4096;

export interface Match {
  plain: Subscription[];
  groups: Subscription[][];
}

const NO_MATCH: Match = { plain: [], groups: [] };

/** Sends a locally published message on to the cluster; returns how many routes took it. */
export type Forward = (subject: string, reply: string | undefined, payload: Uint8Array, hdr: number, local: Match) => number;

export class Router {
  readonly sublist: Sublist = core().newSublist(true);
  readonly #subs = new Map<number, Subscription>();
  readonly #cache = new Map<string, Match>();
  #nextId = 1;
  /**
   * A connection the message being routed left backlogged past half of its
   * max_pending (set by its deliver, cleared when routing starts): a client
   * publisher waits on its stall before its next op.
   */
  stalled: Conn | undefined;
  /** Told of each subscription added (true) or removed (false). */
  interest: ((sub: Subscription, added: boolean) => void) | undefined;
  forward: Forward | undefined;

  /** Number of subscriptions. */
  get size(): number {
    return this.#subs.size;
  }

  /** Every subscription, socket and in-process (/subsz). */
  subscriptions(): IterableIterator<Subscription> {
    return this.#subs.values();
  }

  /** Creates and indexes a subscription, or says why the subject is invalid. */
  subscribe(owner: Subscriber, subject: string, queue: string | null, sid: string): Subscription | SubjectCheckCode {
    const id = this.#nextId++;
    const code = this.sublist.insert(subject, queue, id);
    if (code !== SubjectCheck.OK) return code;
    const sub = new Subscription(id, owner, subject, queue, sid);
    this.#subs.set(id, sub);
    this.#cache.clear();
    if (this.interest !== undefined) this.interest(sub, true);
    return sub;
  }

  unsubscribe(sub: Subscription): void {
    if (sub.closed) return;
    sub.closed = true;
    this.sublist.remove(sub.subject, sub.queue, sub.id);
    this.#subs.delete(sub.id);
    this.#cache.clear();
    if (this.interest !== undefined) this.interest(sub, false);
  }

  /** Subscriptions matching a literal subject. */
  match(subject: string): Match {
    let m = this.#cache.get(subject);
    if (m !== undefined) return m;
    m = this.#resolve(this.sublist.match(subject));
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(subject, m);
    return m;
  }

  /** Whether anything is subscribed to `subject`. */
  hasInterest(subject: string): boolean {
    const m = this.match(subject);
    return m.plain.length > 0 || m.groups.length > 0;
  }

  /**
   * Delivers a message; returns how many subscriptions received it.
   * `hdr` is the header length within `payload`, or -1.
   */
  route(from: Subscriber | null, subject: string, reply: string | undefined, payload: Uint8Array, hdr: number): number {
    const m = this.match(subject);
    this.stalled = undefined;
    let n = 0;
    const noEcho = from !== null && !from.echo;
    for (const sub of m.plain) {
      if (noEcho && sub.owner === from) continue;
      if (this.#deliver(sub, subject, reply, payload, hdr)) n++;
    }
    for (const members of m.groups) {
      // One random member; others in turn when it may not receive it.
      const start = (Math.random() * members.length) | 0;
      for (let i = 0; i < members.length; i++) {
        const sub = members[(start + i) % members.length]!;
        if (noEcho && sub.owner === from) continue;
        if (this.#deliver(sub, subject, reply, payload, hdr)) {
          n++;
          break;
        }
      }
    }
    if (this.forward !== undefined) n += this.forward(subject, reply, payload, hdr, m);
    return n;
  }

  /**
   * Delivers a message that came over a route: to every plain
   * subscription, and to one member of each queue group the sender named
   * (`queues`); never forwarded again.
   */
  routed(subject: string, reply: string | undefined, queues: readonly string[] | undefined, payload: Uint8Array, hdr: number): number {
    const m = this.match(subject);
    let n = 0;
    for (const sub of m.plain) if (this.#deliver(sub, subject, reply, payload, hdr)) n++;
    if (queues === undefined) return n;
    for (const members of m.groups) {
      if (!queues.includes(members[0]!.queue!)) continue;
      const start = (Math.random() * members.length) | 0;
      for (let i = 0; i < members.length; i++) {
        if (this.#deliver(members[(start + i) % members.length]!, subject, reply, payload, hdr)) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  #deliver(sub: Subscription, subject: string, reply: string | undefined, payload: Uint8Array, hdr: number): boolean {
    if (sub.closed) return false;
    if (sub.checkDeliveries && sub.owner.perms && !sub.owner.perms.canDeliver(subject)) return false;
    sub.delivered++;
    sub.owner.deliver(sub, subject, reply, payload, hdr);
    if (sub.max > 0 && sub.delivered >= sub.max) {
      this.unsubscribe(sub);
      sub.owner.released(sub);
    }
    return true;
  }

  /** Decodes the core's `[nPlain, ids..., nGroups, (n, ids...)*]`. */
  #resolve(ids: Uint32Array): Match {
    let i = 0;
    const nPlain = ids[i++]!;
    if (nPlain === 0 && ids[1] === 0) return NO_MATCH;
    const plain: Subscription[] = [];
    for (let k = 0; k < nPlain; k++) {
      const s = this.#subs.get(ids[i++]!);
      if (s) plain.push(s);
    }
    const nGroups = ids[i++]!;
    const groups: Subscription[][] = [];
    for (let g = 0; g < nGroups; g++) {
      const n = ids[i++]!;
      const members: Subscription[] = [];
      for (let k = 0; k < n; k++) {
        const s = this.#subs.get(ids[i++]!);
        if (s) members.push(s);
      }
      if (members.length) groups.push(members);
    }
    return { plain, groups };
  }
}
