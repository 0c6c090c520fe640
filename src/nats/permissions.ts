// Per-connection publish/subscribe permissions (STAN-REFERENCE §1.7, §1.9),
// as nats-server's client.go applies them: pubAllowedFullCheck,
// canSubscribe, checkDenySub and the allow_responses reply tracking.
//
// One PermissionChecker belongs to one connection: its caches and the reply
// subjects it tracks for allow_responses are that connection's state.
//
// Differences from nats-server 2.9, each the stricter or evident reading:
//   - A subscription is allowed only if its subject is a subset of an allow
//     entry. nats-server matches the subscription subject as literal tokens,
//     so allow `foo.*` also admitted SUB `foo.>`; here it does not.
//   - With a queue, plain and queue-qualified entries are both considered:
//     allowed if a plain entry or a matching `"subject queue"` entry allows
//     it; denied if a plain entry or a matching queue entry denies it.
//     nats-server let a matching queue entry override the plain result.
//   - Delivery filtering starts when a wildcard subscription overlaps a deny
//     entry at all (nats-server: only when a deny entry lies inside it).
//   - An explicit empty allow list (`allow: []`) allows nothing, for
//     subscribe as for publish. The config loader turns empty config lists
//     into "no list", as nats-server's parser does.

import { isSubsetMatch, subjectHasWildcard, subjectMatches, subjectsCollide } from '../subject/match.js';

/** Allowed and denied subjects (wildcards allowed) for publish or subscribe. */
export interface SubjectPermission {
  /** Absent: everything not denied. Present (even empty): only these. */
  allow?: string[];
  deny?: string[];
}

/**
 * allow_responses: the connection may publish to the reply subject of each
 * message delivered to it, at most `maxMsgs` times within `expiresMs`.
 * 0 or absent means the default; a negative value means unlimited.
 */
export interface ResponsePermission {
  maxMsgs?: number;
  expiresMs?: number;
}

export interface Permissions {
  publish?: SubjectPermission;
  /** Entries may be `"subject queue"`: only that queue group (queue may use wildcards). */
  subscribe?: SubjectPermission;
  response?: ResponsePermission;
}

/** Cached publish decisions per connection (nats-server maxPermCacheSize). */
export const PUB_CACHE_MAX = 128;
/** Cached delivery-deny decisions per connection (nats-server maxDenyPermCacheSize). */
export const DENY_CACHE_MAX = 256;
/** Entries dropped, oldest first, when a cache overflows (nats-server pruneSize). */
export const CACHE_PRUNE = 32;
/** Tracked reply subjects before expired ones are swept; also the hard cap (nats-server replyPermLimit). */
export const REPLY_PERM_LIMIT = 4096;
/** allow_responses default: one response per request (DEFAULT_ALLOW_RESPONSE_MAX_MSGS). */
export const DEFAULT_RESPONSE_MAX_MSGS = 1;
/** allow_responses default lifetime, 2 minutes (DEFAULT_ALLOW_RESPONSE_EXPIRATION). */
export const DEFAULT_RESPONSE_EXPIRES_MS = 120_000;

interface QueueEntry {
  readonly subject: string;
  readonly queue: string;
}

/** A subscribe list split into plain subjects and `"subject queue"` entries. */
interface SubList {
  readonly plain: readonly string[];
  readonly queued: readonly QueueEntry[];
}

interface ReplyGrant {
  t: number; // when the request carrying this reply was delivered (ms)
  n: number; // responses published so far
}

/**
 * Splits `"subject queue"` as nats-server's splitSubjectQueue (any run of
 * white space separates; more than two fields is an error).
 */
export function splitSubjectQueue(entry: string): { subject: string; queue: string | undefined } {
  const fields = entry.trim().split(/\s+/);
  if (fields.length > 2) throw new Error(`invalid subject-queue ${JSON.stringify(entry)}`);
  return { subject: fields[0] ?? '', queue: fields[1] };
}

function subList(entries: readonly string[]): SubList {
  const plain: string[] = [];
  const queued: QueueEntry[] = [];
  for (const entry of entries) {
    const { subject, queue } = splitSubjectQueue(entry);
    if (queue === undefined) plain.push(subject);
    else queued.push({ subject, queue });
  }
  return { plain, queued };
}

/** nats-server queueMatches: the same name, or inside a wildcard queue entry. */
function queueMatches(queue: string, pattern: string): boolean {
  return queue === pattern || (subjectHasWildcard(pattern) && isSubsetMatch(queue, pattern));
}

function anyMatches(patterns: readonly string[], subject: string): boolean {
  for (const p of patterns) if (subjectMatches(p, subject)) return true;
  return false;
}

/** Adds to a bounded cache; past `max`, drops the CACHE_PRUNE oldest entries. */
function remember(cache: Map<string, boolean>, key: string, value: boolean, max: number): void {
  cache.set(key, value);
  if (cache.size <= max) return;
  let n = 0;
  for (const k of cache.keys()) {
    cache.delete(k);
    if (++n >= CACHE_PRUNE) break;
  }
}

/** True if `perms` restricts anything, i.e. a checker is needed at all. */
export function restricts(perms: Permissions | undefined): boolean {
  if (perms === undefined) return false;
  const { publish: p, subscribe: s } = perms;
  return (
    perms.response !== undefined ||
    p?.allow !== undefined ||
    p?.deny !== undefined ||
    s?.allow !== undefined ||
    s?.deny !== undefined
  );
}

/** A fresh checker for one connection, or null when `perms` allows everything. */
export function permissionCheckerFor(perms: Permissions | undefined): PermissionChecker | null {
  return perms !== undefined && restricts(perms) ? new PermissionChecker(perms) : null;
}

export class PermissionChecker {
  readonly #pubAllow: readonly string[] | null;
  readonly #pubDeny: readonly string[] | null;
  readonly #subAllow: SubList | null;
  readonly #subDeny: SubList | null;
  readonly #pubCache = new Map<string, boolean>();
  readonly #denyCache = new Map<string, boolean>();
  readonly #respMax: number;
  readonly #respExpiresMs: number;
  /** Reply subjects this connection may answer; null without allow_responses. */
  readonly #replies: Map<string, ReplyGrant> | null;

  /** Throws if a subscribe entry has more than two fields. */
  constructor(perms: Permissions) {
    const resp = perms.response;
    let pubAllow = perms.publish?.allow;
    // As nats-server: allow_responses without a publish allow list turns
    // off the blanket allow, so only responses may be published.
    if (resp !== undefined && pubAllow === undefined) pubAllow = [];
    this.#pubAllow = pubAllow === undefined ? null : [...pubAllow];
    this.#pubDeny = perms.publish?.deny === undefined ? null : [...perms.publish.deny];
    this.#subAllow = perms.subscribe?.allow === undefined ? null : subList(perms.subscribe.allow);
    this.#subDeny = perms.subscribe?.deny === undefined ? null : subList(perms.subscribe.deny);
    this.#respMax = resp?.maxMsgs || DEFAULT_RESPONSE_MAX_MSGS;
    this.#respExpiresMs = resp?.expiresMs || DEFAULT_RESPONSE_EXPIRES_MS;
    this.#replies = resp === undefined ? null : new Map();
  }

  /** True if the connection has allow_responses: the router must call trackReply. */
  get tracksReplies(): boolean {
    return this.#replies !== null;
  }

  /**
   * May the connection publish to `subject`? Allowed if there is no allow
   * list or an allow entry matches, and no deny entry matches; failing
   * that, if it is a reply subject granted by allow_responses.
   */
  canPublish(subject: string): boolean {
    if (this.#pubAllow === null && this.#pubDeny === null) return true;
    const cached = this.#pubCache.get(subject);
    if (cached !== undefined) return cached;
    let allowed = this.#pubAllow === null || anyMatches(this.#pubAllow, subject);
    if (allowed && this.#pubDeny !== null) allowed = !anyMatches(this.#pubDeny, subject);
    // A reply grant is used up as it is checked, so that answer is never cached.
    if (!allowed && this.#replies !== null) return this.#useReply(subject);
    remember(this.#pubCache, subject, allowed, PUB_CACHE_MAX);
    return allowed;
  }

  /**
   * May the connection subscribe to `subject` (in `queue`)? With an allow
   * list, the subject must lie inside a plain entry or inside a
   * `"subject queue"` entry whose queue matches. A deny entry that matches
   * the subject (wildcards in it compared as literal tokens, as
   * nats-server does) refuses it; a queue deny entry only that queue.
   */
  canSubscribe(subject: string, queue?: string): boolean {
    const q = queue === '' ? undefined : queue;
    const allow = this.#subAllow;
    if (allow !== null) {
      let ok = false;
      for (const p of allow.plain) {
        if (isSubsetMatch(subject, p)) {
          ok = true;
          break;
        }
      }
      if (!ok && q !== undefined) {
        for (const e of allow.queued) {
          if (isSubsetMatch(subject, e.subject) && queueMatches(q, e.queue)) {
            ok = true;
            break;
          }
        }
      }
      if (!ok) return false;
    }
    const deny = this.#subDeny;
    if (deny !== null) {
      if (anyMatches(deny.plain, subject)) return false;
      if (q !== undefined) {
        for (const e of deny.queued) {
          if (subjectMatches(e.subject, subject) && queueMatches(q, e.queue)) return false;
        }
      }
    }
    return true;
  }

  /**
   * For an allowed subscription: must each message delivered to it go
   * through canDeliver? True when the subject has wildcards and overlaps a
   * deny entry (e.g. SUB `foo.*` with deny `foo.bar`).
   */
  mustCheckDeliveries(subject: string): boolean {
    const deny = this.#subDeny;
    if (deny === null || !subjectHasWildcard(subject)) return false;
    for (const p of deny.plain) if (subjectsCollide(p, subject)) return true;
    return false;
  }

  /** May a message on literal `subject` be delivered to this connection? */
  canDeliver(subject: string): boolean {
    const deny = this.#subDeny;
    if (deny === null || deny.plain.length === 0) return true;
    const cached = this.#denyCache.get(subject);
    if (cached !== undefined) return cached;
    const ok = !anyMatches(deny.plain, subject);
    remember(this.#denyCache, subject, ok, DENY_CACHE_MAX);
    return ok;
  }

  /**
   * allow_responses: a message with reply subject `reply` was delivered to
   * this connection, which may now publish to `reply`. No-op without
   * allow_responses.
   */
  trackReply(reply: string, nowMs: number = Date.now()): void {
    const replies = this.#replies;
    if (replies === null || reply === '') return;
    replies.delete(reply); // re-insert at the end, keeping the map oldest-first
    replies.set(reply, { t: nowMs, n: 0 });
    if (replies.size > REPLY_PERM_LIMIT) this.#pruneReplies(nowMs);
  }

  #useReply(subject: string, nowMs: number = Date.now()): boolean {
    const replies = this.#replies!;
    const grant = replies.get(subject);
    if (grant === undefined) return false;
    grant.n++;
    if (this.#respMax > 0 && grant.n > this.#respMax) {
      replies.delete(subject);
      return false;
    }
    if (this.#respExpiresMs > 0 && nowMs - grant.t > this.#respExpiresMs) {
      replies.delete(subject);
      return false;
    }
    return true;
  }

  /** Drops used-up and expired grants; then, unlike nats-server, the oldest past the cap. */
  #pruneReplies(nowMs: number): void {
    const replies = this.#replies!;
    for (const [k, g] of replies) {
      if ((this.#respMax > 0 && g.n >= this.#respMax) || (this.#respExpiresMs > 0 && nowMs - g.t > this.#respExpiresMs)) {
        replies.delete(k);
      }
    }
    for (const k of replies.keys()) {
      if (replies.size <= REPLY_PERM_LIMIT) break;
      replies.delete(k);
    }
  }
}
