// Our NATS server in a process of its own, for server benchmarks: prints
// `PORT <n>` once listening, stops on SIGTERM. BENCH_MAX_PENDING and
// BENCH_WRITE_DEADLINE_MS set those options; BENCH_LOG=1 logs (INF, as
// the server does without -D) to stderr.

import { NatsServer } from '../../src/nats/server.js';
import { defaultNatsOptions } from '../../src/nats/options.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { core } from '../../src/core/index.js';

const opts = { ...defaultNatsOptions(), host: '127.0.0.1', port: 0 };
if (process.env.BENCH_MAX_PENDING) opts.maxPending = Number(process.env.BENCH_MAX_PENDING);
if (process.env.BENCH_WRITE_DEADLINE_MS) opts.writeDeadlineMs = Number(process.env.BENCH_WRITE_DEADLINE_MS);
const server = new NatsServer(opts, process.env.BENCH_LOG === '1' ? createLogger({}) : silentLogger);
await server.start();
process.stdout.write(`PORT ${server.port} ${core().kind}\n`);
process.on('SIGTERM', () => {
  void server.shutdown().then(() => process.exit(0));
});
