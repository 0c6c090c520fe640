// Our NATS server in a process of its own, for server benchmarks: prints
// `PORT <n> <core> [<route port>]` once listening, stops on SIGTERM. With
// `--cluster` it listens for routes too, and `--route <port>` joins the
// server whose route port that is. BENCH_MAX_PENDING and
// BENCH_WRITE_DEADLINE_MS set those options; BENCH_LOG=1 logs (INF, as
// the server does without -D) to stderr.

import { NatsServer } from '../../src/nats/server.js';
import { defaultNatsOptions } from '../../src/nats/options.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { core } from '../../src/core/index.js';

const argv = process.argv.slice(2);
const join = argv.indexOf('--route') >= 0 ? Number(argv[argv.indexOf('--route') + 1]) : 0;
const clustered = argv.includes('--cluster') || join > 0;
const opts = {
  ...defaultNatsOptions(),
  host: '127.0.0.1',
  port: 0,
  ...(clustered
    ? { cluster: { host: '127.0.0.1', port: 0, name: 'bench', routes: join > 0 ? [`nats://127.0.0.1:${join}`] : [], noAdvertise: false, connectRetries: 0 } }
    : {}),
};
if (process.env.BENCH_MAX_PENDING) opts.maxPending = Number(process.env.BENCH_MAX_PENDING);
if (process.env.BENCH_WRITE_DEADLINE_MS) opts.writeDeadlineMs = Number(process.env.BENCH_WRITE_DEADLINE_MS);
const server = new NatsServer(opts, process.env.BENCH_LOG === '1' ? createLogger({}) : silentLogger);
await server.start();
process.stdout.write(`PORT ${server.port} ${core().kind}${clustered ? ` ${server.cluster!.port}` : ''}\n`);
process.on('SIGTERM', () => {
  void server.shutdown().then(() => process.exit(0));
});
