// Which PostgreSQL driver the SQL store uses (issue #14: chosen by
// measurement): `pg` (node-postgres) against `postgres` (porsager), doing
// what the store's group commit does — BEGIN, multi-row INSERTs of
// 128-byte MsgProto rows into Messages, COMMIT — in batches of 100 and
// 1000 rows, then SELECTs of 1000 rows back (the async batch read).
// Alternating runs on a throwaway PostgreSQL; median of BENCH_SQLDRV_RUNS.
//
// Run: node dist/bench/sql-drivers.js
/* eslint-disable @typescript-eslint/no-explicit-any */

import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { sqlServer, sqlSkipReason } from '../test/helpers/sql-db.js';
import { dialectOf, TABLES } from '../src/stores/sql/dialect.js';
import { parseSource } from '../src/stores/sql/options.js';

const ROWS = Number(process.env.BENCH_SQLDRV_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_SQLDRV_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const data = Buffer.alloc(150, 7);

interface Driver {
  insertBatches(batch: number, channel: number): Promise<void>;
  readAll(channel: number): Promise<number>;
  end(): Promise<void>;
}

function rowsOf(from: number, n: number, channel: number): unknown[] {
  const p: unknown[] = [];
  for (let seq = from; seq < from + n; seq++) p.push(channel, seq, '1700000000000000000', data.length, data);
  return p;
}

async function pgDriver(source: string): Promise<Driver> {
  const c = parseSource('postgres', source);
  const pool = new pg.Pool({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, max: 2 });
  const d = dialectOf('postgres');
  return {
    async insertBatches(batch, channel) {
      const sql = `INSERT INTO Messages (id, seq, timestamp, size, data) VALUES ${d.values(batch, 5)}`;
      for (let from = 1; from <= ROWS; from += batch) {
        const cl = await pool.connect();
        await cl.query('BEGIN');
        await cl.query(sql, rowsOf(from, batch, channel));
        await cl.query('COMMIT');
        cl.release();
      }
    },
    async readAll(channel) {
      let n = 0;
      for (let from = 1; from <= ROWS; from += 1000) {
        const r = await pool.query({ text: 'SELECT data FROM Messages WHERE id=$1 AND seq>=$2 ORDER BY seq LIMIT 1000', values: [channel, from], rowMode: 'array' });
        n += r.rows.length;
      }
      return n;
    },
    end: () => pool.end(),
  };
}

/** Loaded by name: the package may be uninstalled once the choice is made (then only `pg` runs). */
async function loadPorsager(): Promise<any> {
  const name = 'postgres';
  return import(name).then((m) => m.default, () => undefined);
}

async function porsager(source: string): Promise<Driver> {
  const postgres = await loadPorsager();
  const c = parseSource('postgres', source);
  const sql = postgres({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, max: 2 });
  const d = dialectOf('postgres');
  return {
    async insertBatches(batch, channel) {
      const text = `INSERT INTO Messages (id, seq, timestamp, size, data) VALUES ${d.values(batch, 5)}`;
      for (let from = 1; from <= ROWS; from += batch) {
        await sql.begin((tx: any) => [tx.unsafe(text, rowsOf(from, batch, channel) as never[], { prepare: true })]);
      }
    },
    async readAll(channel) {
      let n = 0;
      for (let from = 1; from <= ROWS; from += 1000) {
        const r = await sql.unsafe('SELECT data FROM Messages WHERE id=$1 AND seq>=$2 ORDER BY seq LIMIT 1000', [channel, from], { prepare: true }).raw();
        n += r.length;
      }
      return n;
    },
    end: () => sql.end(),
  };
}

const why = sqlSkipReason('postgres');
if (why !== undefined) {
  console.log(`SKIP bench/sql-drivers: ${why}`);
} else {
  const db = await sqlServer('postgres');
  const results: Record<string, number[]> = {};
  let channel = 0;
  for (let run = 0; run < RUNS; run++) {
    const drivers = [['pg', pgDriver], ...((await loadPorsager()) ? [['postgres', porsager]] : [])] as [string, (s: string) => Promise<Driver>][];
    for (const [name, make] of drivers) {
      const source = await db.newDatabase();
      const drv = await make(source);
      const x = parseSource('postgres', source);
      const c = new pg.Client({ host: x.host, port: x.port, user: x.user, password: x.password, database: x.database });
      await c.connect();
      for (const t of TABLES) for (const s of dialectOf('postgres').create(t)) await c.query(s);
      await c.end();
      for (const batch of [100, 1000]) {
        const ch = ++channel;
        const t0 = performance.now();
        await drv.insertBatches(batch, ch);
        (results[`${name} insert x${batch}`] ??= []).push(ROWS / ((performance.now() - t0) / 1000));
        const t1 = performance.now();
        const n = await drv.readAll(ch);
        if (n !== ROWS) throw new Error(`${name} read ${n} rows`);
        (results[`${name} read x1000`] ??= []).push(ROWS / ((performance.now() - t1) / 1000));
      }
      await drv.end();
    }
  }
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(22)} ${Math.round(median(v))} rows/s (median of ${v.length})`);
  process.exit(0);
}
