// The two npm drivers behind one small interface: `pg` for PostgreSQL,
// `mysql2` for MySQL/MariaDB, loaded only when an SQL store opens (and in
// the sync-query worker). Rows come back as arrays; BIGINTs as strings
// (timestamps exceed 2^53), BLOB/BYTEA as Buffers.

import type { ConnectConfig, SqlDriver } from './options.js';

export type Row = unknown[];

export interface Conn {
  /** Runs a statement already in the dialect's syntax; the rows it returns. */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Db extends Conn {
  /** Runs fn on one connection inside BEGIN/COMMIT; ROLLBACK (and the connection dropped) if it throws. */
  transaction<T>(fn: (c: Conn) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** Pool size (0: 10). */
  maxConns: number;
  /** A pooled connection failed while idle (the database went away): for the log. */
  onIdleError?: (err: Error) => void;
}

const CONNECT_TIMEOUT_MS = 10_000;
const QUERY_TIMEOUT_MS = 60_000;

export async function openDb(driver: SqlDriver, cfg: ConnectConfig, o: DbOptions): Promise<Db> {
  return driver === 'postgres' ? openPg(cfg, o) : openMySql(cfg, o);
}

async function openPg(cfg: ConnectConfig, o: DbOptions): Promise<Db> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    host: cfg.socketPath ?? cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    max: o.maxConns > 0 ? o.maxConns : 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener an idle connection's error would end the process.
  pool.on('error', (err) => o.onIdleError?.(err));
  const run = (c: { query: typeof pool.query }, text: string, values?: readonly unknown[]) =>
    c.query({ text, values: values as unknown[] | undefined, rowMode: 'array' }).then((r) => r.rows as Row[]);
  return {
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const out = await fn({ query: (sql, params) => run(client as never, sql, params) });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        broken = err as Error;
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

async function openMySql(cfg: ConnectConfig, o: DbOptions): Promise<Db> {
  const mysql = (await import('mysql2/promise')).default;
  const pool = mysql.createPool({
    host: cfg.host,
    port: cfg.port,
    socketPath: cfg.socketPath,
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    connectionLimit: o.maxConns > 0 ? o.maxConns : 10,
    connectTimeout: CONNECT_TIMEOUT_MS,
    supportBigNumbers: true,
    bigNumberStrings: true,
    rowsAsArray: true,
  });
  type Q = { query: (sql: string, params?: unknown[]) => Promise<[unknown, unknown]> };
  const run = async (c: Q, sql: string, params?: readonly unknown[]): Promise<Row[]> => {
    const [rows] = await c.query({ sql, timeout: QUERY_TIMEOUT_MS } as never, params as unknown[] | undefined);
    return Array.isArray(rows) ? (rows as Row[]) : [];
  };
  return {
    query: (sql, params) => run(pool as unknown as Q, sql, params),
    async transaction(fn) {
      const conn = await pool.getConnection();
      let broken = false;
      try {
        await conn.query('START TRANSACTION');
        const out = await fn({ query: (sql, params) => run(conn as unknown as Q, sql, params) });
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        broken = true;
        await conn.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        if (broken) conn.destroy();
        else conn.release();
      }
    },
    close: () => pool.end(),
  };
}
