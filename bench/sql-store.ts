// The SQL store on PostgreSQL (issue #14's bench/ requirement): async
// publish throughput as stan-bench measures it (Go's stan-bench, 1
// publisher, 1 subscriber, 100k x 128 B), ours and the Go server's against
// the same PostgreSQL server in the same run (a fresh database each, runs
// interleaved), and the restart time on a channel of 1M stored messages.
// PostgreSQL is a throwaway instance (test/helpers/sql-db.ts) with its
// default durability except fsync=off (the machine's disk is shared).
//
// Run: node dist/bench/sql-store.js. Environment: GO_STAN_SERVER and
// GO_STAN_BENCH (the Go side is skipped when they are unset),
// BENCH_SQL_MSGS (100000), BENCH_SQL_RUNS (3), BENCH_SQL_RESTART_MSGS (1000000).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { median, startServer, stopServer } from './server-proc.js';
import { sqlServer, sqlSkipReason } from '../test/helpers/sql-db.js';
import { dialectOf, TABLES } from '../src/stores/sql/dialect.js';
import { parseSource } from '../src/stores/sql/options.js';
import { encodeMsgProto, msgProtoSize } from '../src/pb/hot.js';
import { ServerInfo as ServerInfoCodec } from '../src/pb/spb.js';

const GO_SERVER = process.env.GO_STAN_SERVER ?? '';
const GO_BENCH = process.env.GO_STAN_BENCH ?? '';
const MSGS = Number(process.env.BENCH_SQL_MSGS ?? 100_000);
const RUNS = Number(process.env.BENCH_SQL_RUNS ?? 3);
const RESTART_MSGS = Number(process.env.BENCH_SQL_RESTART_MSGS ?? 1_000_000);


async function client(source: string): Promise<pg.Client> {
  const c = parseSource('postgres', source);
  const cl = new pg.Client({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database });
  await cl.connect();
  return cl;
}

/** Go asks the operator to create the tables: the script's statements. */
async function createTables(source: string): Promise<void> {
  const cl = await client(source);
  for (const t of TABLES) for (const s of dialectOf('postgres').create(t)) await cl.query(s);
  await cl.end();
}

function stanBench(port: number, channel: string): Promise<{ pub: number; total: number }> {
  const args = ['-s', `nats://127.0.0.1:${port}`, '-np', '1', '-ns', '1', '-n', String(MSGS), '-ms', '128', channel];
  return new Promise((resolve, reject) =>
    execFile(GO_BENCH, args, { timeout: 600_000 }, (err, stdout) => {
      if (err) return reject(err);
      const rate = (re: RegExp) => Number((re.exec(stdout)?.[1] ?? 'NaN').replace(/,/g, ''));
      resolve({ total: rate(/NATS Streaming Pub\/Sub stats: ([\d,]+) msgs\/sec/), pub: rate(/Pub stats: ([\d,]+) msgs\/sec/) });
    }),
  );
}

async function throughput(source: () => Promise<string>, haveGo: boolean): Promise<void> {
  const ours: number[] = [];
  const go: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    if (haveGo) {
      const src = await source();
      await createTables(src);
      const g = await startServer(['-st', 'sql', '--sql_driver', 'postgres', '--sql_source', src], 30_000, GO_SERVER);
      const r = await stanBench(g.port, `bench.${run}`);
      await stopServer(g);
      go.push(r.total);
      console.log(`  run ${run}: Go   pub/sub ${r.total} msgs/s (pub ${r.pub})`);
    }
    const s = await startServer(['-st', 'sql', '--sql_driver', 'postgres', '--sql_source', await source()]);
    const r = await stanBench(s.port, `bench.${run}`);
    await stopServer(s);
    ours.push(r.total);
    console.log(`  run ${run}: ours pub/sub ${r.total} msgs/s (pub ${r.pub})`);
  }
  const line = `async publish ${MSGS} x 128 B, 1 pub 1 sub (stan-bench): ours ${median(ours)} msgs/s`;
  console.log(haveGo ? `${line}, Go ${median(go)} msgs/s, ratio ${(median(ours) / median(go)).toFixed(2)} (median of ${RUNS})` : `${line} (Go server absent)`);
}

/** A database holding one channel of n 128-byte messages, as the Go server writes it. */
async function fill(source: string, n: number): Promise<void> {
  await createTables(source);
  const cl = await client(source);
  const info = ServerInfoCodec.encode({ ClusterID: 'test-cluster', Discovery: '_STAN.discover.test-cluster', Publish: '_STAN.pub.x', Subscribe: '_STAN.sub.x', Unsubscribe: '_STAN.unsub.x', Close: '_STAN.close.x', SubClose: '_STAN.subclose.x', AcksSubs: '_STAN.ack.x', NodeID: '' } as never);
  await cl.query('INSERT INTO ServerInfo (uniquerow, id, proto, version) VALUES (1, $1, $2, 1)', ['test-cluster', info]);
  await cl.query("INSERT INTO Channels (id, name, maxmsgs, maxbytes, maxage) VALUES (1, 'restart', 0, 0, 0)");
  const data = new Uint8Array(128).fill(7);
  const t0 = 1_700_000_000_000_000_000n;
  const BATCH = 5000;
  for (let from = 1; from <= n; from += BATCH) {
    const to = Math.min(n, from + BATCH - 1);
    const params: unknown[] = [];
    for (let seq = from; seq <= to; seq++) {
      const ts = t0 + BigInt(seq);
      const buf = Buffer.allocUnsafe(msgProtoSize(seq, 'restart', '', data, ts, false, 0));
      encodeMsgProto(buf, 0, seq, 'restart', '', data, ts, false, 0);
      params.push(seq, ts.toString(), buf.length, buf);
    }
    const rows = to - from + 1;
    const p5: unknown[] = [];
    for (let i = 0; i < rows; i++) p5.push(1, ...params.slice(i * 4, i * 4 + 4));
    await cl.query(`INSERT INTO Messages (id, seq, timestamp, size, data) VALUES ${dialectOf('postgres').values(rows, 5)} ON CONFLICT DO NOTHING`, p5);
  }
  await cl.query('VACUUM ANALYZE Messages');
  await cl.end();
}

async function restart(source: string, haveGo: boolean): Promise<void> {
  const ours: number[] = [];
  const go: number[] = [];
  const args = ['-st', 'sql', '--sql_driver', 'postgres', '--sql_source', source];
  for (let run = 1; run <= RUNS; run++) {
    if (haveGo) {
      const g = await startServer(args, 120_000, GO_SERVER);
      go.push(g.readyMs);
      await stopServer(g);
    }
    const s = await startServer(args, 120_000);
    ours.push(s.readyMs);
    await stopServer(s);
  }
  const line = `restart on ${RESTART_MSGS} stored messages (spawn to ready): ours ${median(ours).toFixed(0)} ms`;
  console.log(haveGo ? `${line}, Go ${median(go).toFixed(0)} ms (median of ${RUNS})` : line);
}

const why = sqlSkipReason('postgres');
if (why !== undefined) {
  console.log(`SKIP bench/sql-store: ${why}`);
} else {
  const haveGo = GO_SERVER !== '' && GO_BENCH !== '' && existsSync(GO_SERVER) && existsSync(GO_BENCH);
  if (!haveGo) console.log('set GO_STAN_SERVER and GO_STAN_BENCH to the Go binaries to compare: ours only');
  const db = await sqlServer('postgres');
  await throughput(() => db.newDatabase(), haveGo);
  const src = await db.newDatabase();
  const t0 = performance.now();
  await fill(src, RESTART_MSGS);
  console.log(`  (filled ${RESTART_MSGS} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  await restart(src, haveGo);
  process.exit(0);
}
