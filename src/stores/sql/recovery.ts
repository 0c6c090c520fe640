// Reading an SQL store back (Go's SQLStore.Recover, STAN-REFERENCE §8.3):
// the server info (schema version 1), clients, channels not marked deleted
// with their message counts from one aggregate query each (no message is
// read), and subscriptions with their pending sequences from SubsPending
// rows in either of Go's forms (single `seq` rows of no-caching mode, or
// `pending`/`acks` JSON arrays, applied in row order).

import { decodeClientInfo, decodeServerInfo, decodeSubState } from '../file/records.js';
import { StoreError, type ChannelLimits, type ClientInfo, type ServerInfo, type SubState } from '../store.js';
import type { Conn, Row } from './drivers.js';
import type { Dialect } from './dialect.js';
import type { RecoveredMsgs } from './msg-store.js';

export const SQL_SCHEMA_VERSION = 1;

export interface RecoveredSqlSub {
  state: SubState;
  pending: number[];
}

export interface RecoveredSqlChannel {
  id: number;
  name: string;
  limits: ChannelLimits;
  msgs: RecoveredMsgs;
  subs: RecoveredSqlSub[];
}

export interface RecoveredSql {
  info: ServerInfo | undefined;
  clients: ClientInfo[];
  channels: RecoveredSqlChannel[];
  /** Channels marked deleted whose rows are still to remove. */
  deletedChannels: number[];
  maxChannelId: number;
  maxSubId: number;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export async function recoverSql(db: Conn, d: Dialect): Promise<RecoveredSql> {
  const q = (s: string, p: unknown[] = []): Promise<Row[]> => db.query(d.sql(s), p);
  const maxChannelId = num((await q('SELECT COALESCE(MAX(id), 0) FROM Channels'))[0]?.[0]);
  const maxSubId = num((await q('SELECT COALESCE(MAX(subid), 0) FROM Subscriptions'))[0]?.[0]);
  const out: RecoveredSql = { info: undefined, clients: [], channels: [], deletedChannels: [], maxChannelId, maxSubId };
  const infoRows = await q('SELECT id, proto, version FROM ServerInfo WHERE uniquerow=1');
  if (infoRows.length === 0) {
    if (maxChannelId > 0) throw new StoreError('no server file found but some channels were found (SQL store: ServerInfo row missing)');
    return out;
  }
  const [clusterId, proto, version] = infoRows[0]!;
  if (num(version) !== SQL_SCHEMA_VERSION) {
    throw new StoreError(`sql: unsupported version: ${version} (supports [1..${SQL_SCHEMA_VERSION}])`);
  }
  out.info = decodeServerInfo(proto as Uint8Array);
  if (out.info.clusterId !== clusterId) {
    throw new StoreError(`sql: id ${JSON.stringify(clusterId)} in column does not match cluster ID in data ${JSON.stringify(out.info.clusterId)}`);
  }
  for (const [id, hbInbox, cproto] of await q('SELECT id, hbinbox, proto FROM Clients')) {
    const b = cproto as Uint8Array | null;
    out.clients.push(
      b !== null && b.length > 0
        ? decodeClientInfo(b)
        : { id: String(id), hbInbox: String(hbInbox), connId: new Uint8Array(0), protocol: 0, pingInterval: 0, pingMaxOut: 0 },
    );
  }
  for (const [cid] of await q('SELECT id FROM Channels WHERE deleted=TRUE')) out.deletedChannels.push(num(cid));
  const channels = await q('SELECT id, name, maxseq, maxmsgs, maxbytes, maxage FROM Channels WHERE deleted=FALSE ORDER BY id');
  for (const [cid, name, maxseq, maxmsgs, maxbytes, maxage] of channels) {
    const id = num(cid);
    const [agg] = await q('SELECT COUNT(seq), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0), COALESCE(SUM(size), 0) FROM Messages WHERE id=?', [id]);
    const msgs: RecoveredMsgs = { count: num(agg![0]), first: num(agg![1]), last: num(agg![2]), bytes: num(agg![3]) };
    let last = Math.max(msgs.last, num(maxseq));
    const subs: RecoveredSqlSub[] = [];
    for (const [lastSentCol, sproto] of await q('SELECT lastsent, proto FROM Subscriptions WHERE id=? AND deleted=FALSE ORDER BY subid', [id])) {
      if (sproto === null) {
        last = Math.max(last, num(lastSentCol));
        continue;
      }
      const state = decodeSubState(sproto as Uint8Array);
      state.lastSent = Math.max(state.lastSent, num(lastSentCol));
      const pending = await recoverPending(q, state);
      last = Math.max(last, state.lastSent);
      subs.push({ state, pending });
    }
    if (last > msgs.last) {
      // Messages removed (limits, expiry): sequences go on after the highest seen.
      if (msgs.count === 0) msgs.first = last + 1;
      msgs.last = last;
    }
    const limits: ChannelLimits = {
      maxSubscriptions: 0,
      maxMsgs: num(maxmsgs),
      maxBytes: num(maxbytes),
      maxAgeMs: Math.floor(num(maxage) / 1e6),
      maxInactivityMs: 0,
    };
    out.channels.push({ id, name: String(name), limits, msgs, subs });
  }
  return out;
}

async function recoverPending(q: (s: string, p?: unknown[]) => Promise<Row[]>, state: SubState): Promise<number[]> {
  const pending = new Set<number>();
  const rows = await q('SELECT `row`, seq, lastsent, pending, acks FROM SubsPending WHERE subid=? ORDER BY `row`', [state.id]);
  for (const [, seqCol, lastSentCol, p, a] of rows) {
    const seq = num(seqCol);
    if (seq > 0) {
      pending.add(seq);
      state.lastSent = Math.max(state.lastSent, seq);
      continue;
    }
    state.lastSent = Math.max(state.lastSent, num(lastSentCol));
    for (const s of seqsOf(p)) pending.add(s);
    for (const s of seqsOf(a)) pending.delete(s);
  }
  return [...pending];
}

/** A JSON array of uint64 (Go's json.Marshal of []uint64; null for none). */
function seqsOf(b: unknown): number[] {
  if (b === null || b === undefined) return [];
  const text = Buffer.from(b as Uint8Array).toString('utf8').trim();
  if (text === '' || text === 'null') return [];
  const v: unknown = JSON.parse(text);
  if (!Array.isArray(v)) throw new StoreError(`sql: SubsPending column is not a JSON array: ${text.slice(0, 40)}`);
  return v.map(Number);
}
