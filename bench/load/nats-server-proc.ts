// Our NATS server in a process of its own, for server benchmarks: prints
// `PORT <n>` once listening, stops on SIGTERM.

import { NatsServer } from '../../src/nats/server.js';
import { defaultNatsOptions } from '../../src/nats/options.js';
import { silentLogger } from '../../src/log/logger.js';
import { core } from '../../src/core/index.js';

const server = new NatsServer({ ...defaultNatsOptions(), host: '127.0.0.1', port: 0 }, silentLogger);
await server.start();
process.stdout.write(`PORT ${server.port} ${core().kind}\n`);
process.on('SIGTERM', () => {
  void server.shutdown().then(() => process.exit(0));
});
