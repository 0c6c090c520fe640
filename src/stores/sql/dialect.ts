// Every difference between PostgreSQL and MySQL/MariaDB the SQL store
// knows of (STAN-REFERENCE §8.3; the Go server's scripts/*.db.sql): the
// schema (BYTEA vs BLOB, UNSIGNED, inline indexes), placeholders ($n vs ?),
// the quoting of the `row` column, listing tables, and the errors that
// mean "the connection is gone". Statements are written once, MySQL style.

import type { SqlDriver } from './options.js';

export interface Dialect {
  readonly driver: SqlDriver;
  /** A statement written with `?` and `row` as this database wants it. */
  sql(stmt: string): string;
  /** The statements creating `table` (and its indexes), Go's schema. */
  create(table: TableName): string[];
  /** Lists the tables of the current database/schema (one column: the name). */
  readonly listTables: string;
  /** The placeholders of `rows` rows of `cols` values for a multi-row INSERT. */
  values(rows: number, cols: number): string;
}

export const TABLES = ['ServerInfo', 'Clients', 'Channels', 'Messages', 'Subscriptions', 'SubsPending', 'StoreLock'] as const;
export type TableName = (typeof TABLES)[number];

const PG_SCHEMA: Record<TableName, string[]> = {
  ServerInfo: ['CREATE TABLE IF NOT EXISTS ServerInfo (uniquerow INTEGER DEFAULT 1, id VARCHAR(1024), proto BYTEA, version INTEGER, PRIMARY KEY (uniquerow))'],
  Clients: ['CREATE TABLE IF NOT EXISTS Clients (id VARCHAR(1024), hbinbox TEXT, proto BYTEA, PRIMARY KEY (id))'],
  Channels: [
    'CREATE TABLE IF NOT EXISTS Channels (id INTEGER, name VARCHAR(1024) NOT NULL, maxseq BIGINT DEFAULT 0, maxmsgs INTEGER DEFAULT 0, maxbytes BIGINT DEFAULT 0, maxage BIGINT DEFAULT 0, deleted BOOL DEFAULT FALSE, PRIMARY KEY (id))',
    'CREATE INDEX IF NOT EXISTS Idx_ChannelsName ON Channels (name)',
  ],
  Messages: [
    'CREATE TABLE IF NOT EXISTS Messages (id INTEGER, seq BIGINT, timestamp BIGINT, size INTEGER, data BYTEA, CONSTRAINT PK_MsgKey PRIMARY KEY(id, seq))',
    'CREATE INDEX IF NOT EXISTS Idx_MsgsTimestamp ON Messages (timestamp)',
  ],
  Subscriptions: [
    'CREATE TABLE IF NOT EXISTS Subscriptions (id INTEGER, subid BIGINT, lastsent BIGINT DEFAULT 0, proto BYTEA, deleted BOOL DEFAULT FALSE, CONSTRAINT PK_SubKey PRIMARY KEY(id, subid))',
  ],
  SubsPending: [
    'CREATE TABLE IF NOT EXISTS SubsPending (subid BIGINT, row BIGINT, seq BIGINT DEFAULT 0, lastsent BIGINT DEFAULT 0, pending BYTEA, acks BYTEA, CONSTRAINT PK_MsgPendingKey PRIMARY KEY(subid, row))',
    'CREATE INDEX IF NOT EXISTS Idx_SubsPendingSeq ON SubsPending (seq)',
  ],
  StoreLock: ['CREATE TABLE IF NOT EXISTS StoreLock (id VARCHAR(30), tick BIGINT DEFAULT 0)'],
};

const MYSQL_SCHEMA: Record<TableName, string[]> = {
  ServerInfo: ['CREATE TABLE IF NOT EXISTS ServerInfo (uniquerow INT DEFAULT 1, id VARCHAR(1024), proto BLOB, version INTEGER, PRIMARY KEY (uniquerow))'],
  Clients: ['CREATE TABLE IF NOT EXISTS Clients (id VARCHAR(1024), hbinbox TEXT, proto BLOB, PRIMARY KEY (id(256)))'],
  Channels: [
    'CREATE TABLE IF NOT EXISTS Channels (id INTEGER, name VARCHAR(1024) NOT NULL, maxseq BIGINT UNSIGNED DEFAULT 0, maxmsgs INTEGER DEFAULT 0, maxbytes BIGINT DEFAULT 0, maxage BIGINT DEFAULT 0, deleted BOOL DEFAULT FALSE, PRIMARY KEY (id), INDEX Idx_ChannelsName (name(256)))',
  ],
  Messages: [
    'CREATE TABLE IF NOT EXISTS Messages (id INTEGER, seq BIGINT UNSIGNED, timestamp BIGINT, size INTEGER, data BLOB, CONSTRAINT PK_MsgKey PRIMARY KEY(id, seq), INDEX Idx_MsgsTimestamp (timestamp))',
  ],
  Subscriptions: [
    'CREATE TABLE IF NOT EXISTS Subscriptions (id INTEGER, subid BIGINT UNSIGNED, lastsent BIGINT UNSIGNED DEFAULT 0, proto BLOB, deleted BOOL DEFAULT FALSE, CONSTRAINT PK_SubKey PRIMARY KEY(id, subid))',
  ],
  SubsPending: [
    'CREATE TABLE IF NOT EXISTS SubsPending (subid BIGINT UNSIGNED, `row` BIGINT UNSIGNED, seq BIGINT UNSIGNED DEFAULT 0, lastsent BIGINT UNSIGNED DEFAULT 0, pending BLOB, acks BLOB, CONSTRAINT PK_MsgPendingKey PRIMARY KEY(subid, `row`), INDEX Idx_SubsPendingSeq(seq))',
  ],
  StoreLock: ['CREATE TABLE IF NOT EXISTS StoreLock (id VARCHAR(30), tick BIGINT UNSIGNED DEFAULT 0)'],
};

function numbered(stmt: string): string {
  let n = 0;
  return stmt.replace(/\?/g, () => `$${++n}`).replace(/`row`/g, 'row');
}

const postgres: Dialect = {
  driver: 'postgres',
  sql: numbered,
  create: (t) => PG_SCHEMA[t],
  listTables: 'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()',
  values(rows, cols) {
    const out: string[] = [];
    for (let r = 0, p = 0; r < rows; r++) {
      const row: string[] = [];
      for (let c = 0; c < cols; c++) row.push(`$${++p}`);
      out.push(`(${row.join(',')})`);
    }
    return out.join(',');
  },
};

const mysql: Dialect = {
  driver: 'mysql',
  sql: (stmt) => stmt,
  create: (t) => MYSQL_SCHEMA[t],
  listTables: 'SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()',
  values(rows, cols) {
    const row = `(${new Array<string>(cols).fill('?').join(',')})`;
    return new Array<string>(rows).fill(row).join(',');
  },
};

export function dialectOf(driver: SqlDriver): Dialect {
  return driver === 'postgres' ? postgres : mysql;
}
