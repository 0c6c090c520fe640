// The SQL store's options (STAN-REFERENCE §7.2, §8.3: --sql_driver,
// --sql_source, --sql_no_caching, --sql_max_open_conns,
// --sql_bulk_insert_limit or the sql_options {} block) and the data source
// names in the Go drivers' syntax: lib/pq's `key=value ...` or a
// postgres:// URL, go-sql-driver/mysql's `user:pass@tcp(host:port)/db?...`.
// The password never leaves this module but inside a connection config:
// redactSource() is what logs and monitoring show.

import { StoreError } from '../store.js';

export type SqlDriver = 'postgres' | 'mysql';

/** What a driver needs to connect. */
export interface ConnectConfig {
  host: string;
  port: number | undefined;
  /** A unix socket path instead of host:port. */
  socketPath: string | undefined;
  user: string | undefined;
  password: string | undefined;
  database: string;
}

export interface SqlOptions {
  driver: SqlDriver;
  source: string;
  noCaching: boolean;
  /** 0: the store's default pool size. */
  maxOpenConns: number;
  /** Rows per INSERT statement; 0: the store's default (multi-row); 1..4: one row per statement, as Go. */
  bulkInsertLimit: number;
}

/** The options from the flag table's values (sqlDriver, sqlSource...). */
export function sqlOptionsFromValues(values: Readonly<Record<string, unknown>>): SqlOptions {
  const driver = String(values.sqlDriver ?? '').toLowerCase();
  if (driver === '') throw new StoreError('sql: driver not specified (--sql_driver postgres|mysql)');
  if (driver !== 'postgres' && driver !== 'mysql') throw new StoreError(`sql: unsupported driver "${driver}" (use postgres or mysql)`);
  const source = String(values.sqlSource ?? '');
  if (source === '') throw new StoreError('sql: data source not specified (--sql_source)');
  return {
    driver,
    source,
    noCaching: values.sqlNoCaching === true,
    maxOpenConns: Math.max(0, Number(values.sqlMaxOpenConns ?? 0) | 0),
    bulkInsertLimit: Math.max(0, Number(values.sqlBulkInsertLimit ?? 0) | 0),
  };
}

/** The source as logs may show it: any password replaced by `****`. */
export function redactSource(source: string): string {
  return source
    .replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1****')
    .replace(/^([a-z0-9+.-]+:\/\/[^:/@]*:)[^@]*@/i, '$1****@')
    .replace(/^([^:@/()]*:)[^@]*@(tcp|unix|\/)/i, '$1****@$2');
}

/** Parses the data source of `driver` (throws StoreError naming what is wrong, never the password). */
export function parseSource(driver: SqlDriver, source: string): ConnectConfig {
  if (/^postgres(ql)?:\/\//i.test(source)) return fromUrl(source);
  return driver === 'postgres' ? fromKeyValues(source) : fromMySqlDsn(source);
}

function fromUrl(source: string): ConnectConfig {
  let u: URL;
  try {
    u = new URL(source);
  } catch {
    throw new StoreError(`sql: invalid data source URL ${redactSource(source)}`);
  }
  const socket = u.searchParams.get('host');
  return {
    host: socket?.startsWith('/') ? 'localhost' : (u.hostname || 'localhost'),
    port: u.port ? Number(u.port) : undefined,
    socketPath: socket?.startsWith('/') ? socket : undefined,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || (u.username ? decodeURIComponent(u.username) : 'postgres'),
  };
}

/** lib/pq's `host=... port=... user=... password='a b' dbname=...`. */
function fromKeyValues(source: string): ConnectConfig {
  const kv = new Map<string, string>();
  const re = /\s*([a-z_]+)\s*=\s*('((?:[^'\\]|\\.)*)'|(\S*))/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(source)) !== null) {
    kv.set(m[1]!.toLowerCase(), m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4]!);
    end = re.lastIndex;
  }
  if (source.slice(end).trim() !== '') throw new StoreError(`sql: invalid data source ${redactSource(source)}`);
  const host = kv.get('host') ?? 'localhost';
  const socket = host.startsWith('/');
  return {
    host: socket ? 'localhost' : host,
    port: kv.has('port') ? Number(kv.get('port')) : undefined,
    socketPath: socket ? host : undefined,
    user: kv.get('user'),
    password: kv.get('password'),
    database: kv.get('dbname') ?? kv.get('user') ?? 'postgres',
  };
}

/** go-sql-driver/mysql's `[user[:password]@][tcp[(host:port)]|unix(path)]/dbname[?params]`. */
function fromMySqlDsn(source: string): ConnectConfig {
  const m = /^(?:([^:@]*)(?::(.*))?@)?(?:(tcp|unix)(?:\(([^)]*)\))?)?\/([^?]*)(?:\?.*)?$/.exec(source);
  if (m === null) throw new StoreError(`sql: invalid data source ${redactSource(source)}`);
  const [, user, password, net, addr, db] = m;
  const unix = net === 'unix';
  let host = '127.0.0.1';
  let port: number | undefined = 3306;
  if (!unix && addr) {
    const i = addr.lastIndexOf(':');
    host = (i >= 0 ? addr.slice(0, i) : addr).replace(/^\[|\]$/g, '') || '127.0.0.1';
    if (i >= 0) port = Number(addr.slice(i + 1));
  }
  return {
    host,
    port: unix ? undefined : port,
    socketPath: unix ? (addr ?? '/tmp/mysql.sock') : undefined,
    user: user || undefined,
    password: password ?? undefined,
    database: db ?? '',
  };
}

/** `host:port/db` or `socket/db`, for errors and logs. */
export function describeTarget(c: ConnectConfig): string {
  const where = c.socketPath ?? `${c.host}${c.port !== undefined ? `:${c.port}` : ''}`;
  return `database "${c.database}" on ${where}`;
}
