// The SQL store (Store of src/stores/store.ts; `-st sql`, STAN-REFERENCE
// §8.3) on PostgreSQL or MySQL/MariaDB, in the Go server's schema so that
// either server opens what the other wrote. Unlike Go it creates missing
// tables (and logs it). Writes wait for the group commit (committer.ts);
// the FT lock is the StoreLock row (lock.ts).

import { encodeClientInfo, encodeServerInfo } from '../file/records.js';
import {
  StoreError,
  type ChannelLimits,
  type ClientInfo,
  type MsgStoreState,
  type RecoveredChannel,
  type RecoveredState,
  type ServerInfo,
  type Store,
} from '../store.js';
import { Committer, DEFAULT_ROWS_PER_INSERT } from './committer.js';
import { dialectOf, TABLES, type Dialect } from './dialect.js';
import { openDb, type Db } from './drivers.js';
import { SqlLock } from './lock.js';
import { SqlMsgStore, type SqlMsgContext } from './msg-store.js';
import { describeTarget, parseSource, redactSource, type SqlOptions } from './options.js';
import { recoverSql, SQL_SCHEMA_VERSION } from './recovery.js';
import { SqlSubStore, type SubIds } from './sub-store.js';
import { SyncDb } from './sync-db.js';

export interface SqlLog {
  info(msg: string): void;
  error(msg: string): void;
}

export interface SqlStoreOptions extends SqlOptions {
  log?: SqlLog;
  onLimitReached?: (channel: string, state: MsgStoreState, limits: ChannelLimits) => void;
  /** The FT lock was lost (another server took the StoreLock row): the server must stop. */
  onLockLost?: (why: string) => void;
  /** Bytes of messages waiting for a commit beyond which publishing fails (default 64 MiB). */
  maxBacklogBytes?: number;
}

interface SqlChannel {
  msgs: SqlMsgStore;
  subs: SqlSubStore;
}

const NO_LOG: SqlLog = { info() {}, error() {} };

export class SqlStore implements Store {
  readonly type = 'SQL';
  readonly #o: SqlStoreOptions;
  readonly #log: SqlLog;
  readonly #db: Db;
  readonly #sync: SyncDb;
  readonly #dialect: Dialect;
  readonly #committer: Committer;
  readonly #lock: SqlLock;
  readonly #channels = new Map<string, SqlChannel>();
  readonly #subIds: SubIds = { max: 0 };
  readonly #backlog: { bytes: number; max: number };
  /** Where the data is, password-free: `database "x" on host:port`. */
  readonly target: string;
  #maxChannelId = 0;
  #closed = false;

  private constructor(o: SqlStoreOptions, db: Db, target: string) {
    this.#o = o;
    this.#log = o.log ?? NO_LOG;
    this.#db = db;
    this.target = target;
    this.#dialect = dialectOf(o.driver);
    this.#sync = new SyncDb(o.driver, parseSource(o.driver, o.source));
    const rows = o.bulkInsertLimit >= 5 ? o.bulkInsertLimit : o.bulkInsertLimit > 0 ? 1 : DEFAULT_ROWS_PER_INSERT;
    this.#committer = new Committer(db, this.#dialect, rows, (err) => this.#log.error(`STREAM: SQL store: commit failed, will retry: ${err.message}`));
    this.#lock = new SqlLock(db, this.#dialect, (why) => (o.onLockLost ?? ((w) => this.#log.error(`STREAM: ${w}`)))(why));
    this.#backlog = { bytes: 0, max: o.maxBacklogBytes ?? 64 * 1024 * 1024 };
  }

  /**
   * Connects (StoreError naming host and database when it cannot) and
   * creates the tables that are missing.
   */
  static async open(o: SqlStoreOptions): Promise<SqlStore> {
    const cfg = parseSource(o.driver, o.source);
    const target = describeTarget(cfg);
    const log = o.log ?? NO_LOG;
    const db = await openDb(o.driver, cfg, {
      maxConns: o.maxOpenConns,
      onIdleError: (err) => log.error(`STREAM: SQL store: connection to ${target} lost: ${err.message}`),
    });
    try {
      await ensureSchema(db, dialectOf(o.driver), log);
    } catch (err) {
      await db.close().catch(() => {});
      throw new StoreError(`sql: unable to open ${o.driver} ${target}: ${redactSource((err as Error).message)}`);
    }
    return new SqlStore(o, db, target);
  }

  /** The source as logs show it (no password). */
  get location(): string {
    return `${this.#o.driver} ${redactSource(this.#o.source)}`;
  }

  lock(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return this.#lock.tryLock();
  }

  async recover(): Promise<RecoveredState> {
    const r = await recoverSql(this.#db, this.#dialect);
    this.#maxChannelId = r.maxChannelId;
    this.#subIds.max = r.maxSubId;
    for (const id of r.deletedChannels) this.#deleteRows(id);
    const channels: RecoveredChannel[] = [];
    for (const rc of r.channels) {
      const ch = this.#newChannel(rc.id, rc.name, rc.limits, rc.msgs);
      for (const s of rc.subs) ch.subs.recovered(s.state.id, s.pending, s.state.lastSent);
      channels.push({ name: rc.name, msgs: ch.msgs, subs: ch.subs, recovered: rc.subs });
    }
    return { info: r.info, clients: r.clients, channels };
  }

  init(info: ServerInfo): void {
    this.#committer.add('DELETE FROM ServerInfo', []);
    this.#committer.add('INSERT INTO ServerInfo (uniquerow, id, proto, version) VALUES (1, ?, ?, ?)', [
      info.clusterId,
      encodeServerInfo(info),
      SQL_SCHEMA_VERSION,
    ]);
  }

  addClient(info: ClientInfo): void {
    this.#committer.add('DELETE FROM Clients WHERE id=?', [info.id]);
    this.#committer.add('INSERT INTO Clients (id, hbinbox, proto) VALUES (?, ?, ?)', [info.id, info.hbInbox, encodeClientInfo(info)]);
  }

  deleteClient(id: string): void {
    this.#committer.add('DELETE FROM Clients WHERE id=?', [id]);
  }

  createChannel(name: string, limits: ChannelLimits): SqlChannel {
    if (this.#closed) throw new StoreError('sql: store closed');
    if (this.#channels.has(name)) throw new StoreError(`channel "${name}" already exists`);
    const id = ++this.#maxChannelId;
    this.#committer.add('INSERT INTO Channels (id, name, maxmsgs, maxbytes, maxage) VALUES (?, ?, ?, ?, ?)', [
      id,
      name,
      limits.maxMsgs,
      limits.maxBytes,
      (BigInt(limits.maxAgeMs) * 1_000_000n).toString(),
    ]);
    return this.#newChannel(id, name, limits);
  }

  #newChannel(id: number, name: string, limits: ChannelLimits, rec?: ConstructorParameters<typeof SqlMsgStore>[2]): SqlChannel {
    const ctx: SqlMsgContext = {
      channelId: id,
      channel: name,
      db: this.#db,
      sync: this.#sync,
      dialect: this.#dialect,
      committer: this.#committer,
      noCaching: this.#o.noCaching,
      backlog: this.#backlog,
      onLimitReached: this.#o.onLimitReached,
    };
    const ch = { msgs: new SqlMsgStore(ctx, limits, rec), subs: new SqlSubStore(id, this.#subIds, this.#committer, this.#dialect) };
    this.#channels.set(name, ch);
    return ch;
  }

  /** Marks the channel deleted (Go's fast delete), then removes its rows in the next commit. */
  deleteChannel(name: string): void {
    const ch = this.#channels.get(name);
    if (ch === undefined) return;
    ch.msgs.close();
    ch.subs.close();
    this.#channels.delete(name);
    this.#committer.add('UPDATE Channels SET deleted=TRUE WHERE id=?', [ch.msgs.channelId]);
    this.#deleteRows(ch.msgs.channelId);
  }

  #deleteRows(id: number): void {
    this.#committer.add('DELETE FROM SubsPending WHERE subid IN (SELECT subid FROM Subscriptions WHERE id=?)', [id]);
    this.#committer.add('DELETE FROM Subscriptions WHERE id=?', [id]);
    this.#committer.add('DELETE FROM Messages WHERE id=?', [id]);
    this.#committer.add('DELETE FROM Channels WHERE id=?', [id]);
  }

  /** Test hook: drops committed messages from every channel's cache. */
  evictCaches(): void {
    for (const ch of this.#channels.values()) ch.msgs.evictRecent();
  }

  flush(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#committer.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const ch of this.#channels.values()) {
      ch.msgs.close();
      ch.subs.close();
    }
    await this.#committer.close();
    await this.#lock.release();
    await this.#sync.close();
    await this.#db.close().catch(() => {});
  }
}

/** Creates the tables (and indexes) that are missing, saying so in the log. */
async function ensureSchema(db: Db, d: Dialect, log: SqlLog): Promise<void> {
  const have = new Set((await db.query(d.listTables)).map((r) => String(r[0]).toLowerCase()));
  const missing = TABLES.filter((t) => !have.has(t.toLowerCase()));
  if (missing.length === 0) return;
  for (const t of missing) for (const stmt of d.create(t)) await db.query(stmt);
  log.info(`STREAM: SQL store: created the missing table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (schema version ${SQL_SCHEMA_VERSION})`);
}
