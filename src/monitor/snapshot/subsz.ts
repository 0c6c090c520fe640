// /subsz and /subscriptionsz (STAN-REFERENCE §6.6): the subject trie's
// counters (nats-server's SublistStats, from the Rust core) and, with
// `subs=1`, the subscriptions themselves, socket and in-process alike,
// optionally only those a publish on the literal subject `test` would reach.

import { core } from '../../core/index.js';
import type { SublistStats } from '../../core/index.js';
import { subjectMatches } from '../../subject/match.js';
import { type MonitorContext, natsOf } from '../context.js';
import { goTime } from '../format.js';
import { QueryError } from '../query.js';
import type { SubDetail } from './connz.js';

/** nats-server's DefaultSubListSize. */
export const DEFAULT_SUB_LIMIT = 1024;
/** The account every client is in (nats-server's global account). */
const GLOBAL_ACCOUNT = '$G';

export interface SubszOptions {
  subs: boolean;
  offset: number;
  limit: number;
  /** A literal subject: only subscriptions it matches. */
  test: string | undefined;
}

export type Subsz = { server_id: string; now: string } & SublistStats & {
  total: number;
  offset: number;
  limit: number;
  subscriptions_list?: SubDetail[];
};

export function subszSnapshot(ctx: MonitorContext, o: SubszOptions): Subsz {
  const s = natsOf(ctx);
  if (o.test !== undefined && !core().isValidSubject(o.test, false)) {
    throw new QueryError(`invalid test subject, must be valid publish subject: ${o.test}`);
  }
  const stats = s.router.sublist.stats();
  const out: Subsz = { server_id: s.id, now: goTime(Date.now(), true), ...stats, total: 0, offset: o.offset, limit: o.limit };
  if (!o.subs) return out;
  const details: SubDetail[] = [];
  for (const sub of s.router.subscriptions()) {
    if (sub.closed || (o.test !== undefined && !subjectMatches(sub.subject, o.test))) continue;
    details.push({
      account: GLOBAL_ACCOUNT,
      subject: sub.subject,
      ...(sub.queue ? { qgroup: sub.queue } : {}),
      sid: sub.sid,
      msgs: sub.delivered,
      ...(sub.max > 0 ? { max: sub.max } : {}),
      cid: sub.owner.cid,
    });
  }
  out.total = details.length;
  const from = Math.min(o.offset, details.length);
  const page = details.slice(from, Math.min(o.offset + o.limit, details.length));
  if (page.length > 0) out.subscriptions_list = page;
  return out;
}
