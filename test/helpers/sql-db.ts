// Throwaway database servers for the SQL store tests: PostgreSQL (initdb
// in a temp folder, run as the `postgres` user) and MariaDB/MySQL
// (mariadb-install-db, run as `mysql`), each on a free 127.0.0.1 port,
// started once per test process and killed at its exit. Never a system
// service on a fixed port. A user with a password is created, as operators
// run it (no trust auth, no --skip-grant-tables). Each test gets a fresh
// database from newDatabase(). Missing binaries: sqlSkipReason() says why.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../bench/server-proc.js';

export type SqlKind = 'postgres' | 'mysql';

/** Debian's PostgreSQL binaries: the newest version installed (PG_BIN overrides). */
const PG_BIN = process.env.PG_BIN ?? newestPostgres();

function newestPostgres(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return join(root, versions[0] ?? '15', 'bin');
}
const MARIADB_BIN = process.env.MARIADB_BIN ?? '/usr/sbin/mariadbd';
const MARIADB_INSTALL = process.env.MARIADB_INSTALL ?? '/usr/bin/mariadb-install-db';
export const SQL_USER = 'stan';
export const SQL_PASSWORD = 's3cret-pw';
const START_MS = 60_000;

/** Why the tests of `kind` cannot run here, or undefined when they can. */
export function sqlSkipReason(kind: SqlKind): string | undefined {
  if (process.getuid?.() !== 0) return 'SQL tests start their own database server and need root (to run it as its own user)';
  if (kind === 'postgres') {
    return existsSync(join(PG_BIN, 'initdb')) ? undefined : `PostgreSQL binaries not found in ${PG_BIN} (apt-get install postgresql)`;
  }
  return existsSync(MARIADB_BIN) && existsSync(MARIADB_INSTALL) ? undefined : `MariaDB not found (${MARIADB_BIN}; apt-get install mariadb-server)`;
}

function idOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  return { uid, gid };
}

export interface SqlServer {
  kind: SqlKind;
  port: number;
  /** A fresh empty database; returns its DSN in the Go driver's syntax. */
  newDatabase(): Promise<string>;
  /** Stops the server (SIGKILL when `hard`, as a crash), to test a database going away. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
}

let counter = 0;
const servers = new Map<SqlKind, Promise<SqlServer>>();
const children = new Set<ChildProcess>();
const dirs: string[] = [];
process.once('exit', () => {
  // SIGQUIT: PostgreSQL's immediate shutdown, which takes its backends with it.
  for (const c of children) c.kill(c.spawnfile.endsWith('postgres') ? 'SIGQUIT' : 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The server of `kind` for this process, started on first use. */
export function sqlServer(kind: SqlKind): Promise<SqlServer> {
  let s = servers.get(kind);
  if (s === undefined) {
    s = kind === 'postgres' ? startPostgres() : startMariaDb();
    servers.set(kind, s);
  }
  return s;
}

function spawnAs(bin: string, args: string[], user: string): ChildProcess {
  const child = spawn(bin, args, { ...idOf(user), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  children.add(child);
  child.once('exit', () => children.delete(child));
  // The server must not keep the test process alive: it is killed at exit.
  child.unref();
  (child.stderr as unknown as { unref(): void }).unref();
  (child as ChildProcess & { lastErr: () => string }).lastErr = () => err;
  return child;
}

async function untilReady(check: () => Promise<void>, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_MS;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const e = (child as ChildProcess & { lastErr?: () => string }).lastErr?.() ?? '';
        throw new Error(`database server did not start: ${(err as Error).message}\n${e}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function startPostgres(): Promise<SqlServer> {
  const dir = mkdtempSync(join(tmpdir(), 'stan-pg-'));
  dirs.push(dir);
  const { uid, gid } = idOf('postgres');
  chownSync(dir, uid, gid);
  const pw = join(dir, 'pw');
  writeFileSync(pw, SQL_PASSWORD);
  chownSync(pw, uid, gid);
  const data = join(dir, 'data');
  execFileSync(join(PG_BIN, 'initdb'), ['-D', data, '-U', SQL_USER, `--pwfile=${pw}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync'], {
    uid,
    gid,
    stdio: 'ignore',
  });
  const port = await freePort();
  const pg = (await import('pg')).default;
  let child: ChildProcess;
  const start = async () => {
    child = spawnAs(join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'], 'postgres');
    await untilReady(async () => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: SQL_USER, password: SQL_PASSWORD, database: 'postgres' });
      await c.connect();
      await c.end();
    }, child);
  };
  await start();
  return {
    kind: 'postgres',
    port,
    async newDatabase() {
      const name = `stan_${process.pid}_${++counter}`;
      const c = new pg.Client({ host: '127.0.0.1', port, user: SQL_USER, password: SQL_PASSWORD, database: 'postgres' });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `host=127.0.0.1 port=${port} user=${SQL_USER} password=${SQL_PASSWORD} dbname=${name} sslmode=disable`;
    },
    stop: (hard = false) => stopChild(child, hard ? 'SIGKILL' : 'SIGINT'),
    start,
  };
}

async function startMariaDb(): Promise<SqlServer> {
  const dir = mkdtempSync(join(tmpdir(), 'stan-mysql-'));
  dirs.push(dir);
  const { uid, gid } = idOf('mysql');
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  // Without the system's my.cnf; retried, as bootstraps running at once in other test processes were seen to fail.
  const install = () =>
    execFileSync(MARIADB_INSTALL, ['--no-defaults', `--datadir=${data}`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  for (let attempt = 1; ; attempt++) {
    try {
      install();
      break;
    } catch (err) {
      if (attempt === 3) throw new Error(`mariadb-install-db failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
      rmSync(data, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
  const port = await freePort();
  const sock = join(dir, 'mysqld.sock');
  const mysql = (await import('mysql2/promise')).default;
  let child: ChildProcess;
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    `--socket=${sock}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    '--user=mysql',
    '--innodb-flush-log-at-trx-commit=2',
    '--skip-log-bin',
  ];
  let userMade = false;
  const start = async () => {
    child = spawnAs(MARIADB_BIN, args, 'mysql');
    await untilReady(async () => {
      const c = userMade
        ? await mysql.createConnection({ host: '127.0.0.1', port, user: SQL_USER, password: SQL_PASSWORD })
        : await mysql.createConnection({ socketPath: sock, user: 'root' });
      if (!userMade) {
        await c.query(`CREATE USER IF NOT EXISTS '${SQL_USER}'@'%' IDENTIFIED BY '${SQL_PASSWORD}'`);
        await c.query(`GRANT ALL ON *.* TO '${SQL_USER}'@'%'`);
        userMade = true;
      }
      await c.end();
    }, child);
  };
  await start();
  return {
    kind: 'mysql',
    port,
    async newDatabase() {
      const name = `stan_${process.pid}_${++counter}`;
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: SQL_USER, password: SQL_PASSWORD });
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `${SQL_USER}:${SQL_PASSWORD}@tcp(127.0.0.1:${port})/${name}`;
    },
    stop: (hard = false) => stopChild(child, hard ? 'SIGKILL' : 'SIGTERM'),
    start,
  };
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Says why `name` is skipped and runs it as an empty suite, so the test
 * runner still sees a summary (a skipped uvu test would count as failed).
 */
export async function skipSuite(name: string, why: string): Promise<void> {
  console.log(`SKIPPED: ${name}: ${why}`);
  const { suite } = await import('uvu');
  suite(name).run();
}
