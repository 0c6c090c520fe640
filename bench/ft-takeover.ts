// The FT takeover time (issue #13): two members of an FT group on one file
// store behind Debian's nats-server, a node-nats-streaming publisher
// keeping a window of async publishes in flight with a 2 s ack timeout, and
// the active member SIGKILLed. Measured from the kill: when the standby
// says "Server is active" (its log line reaching us), and when the first
// message published after the kill is acknowledged (what a client sees; it
// includes the 2 s ack timeout of the publishes lost in the kill, which
// hold the window). Ours to ours, and with GO_STAN_SERVER set the Go
// server to Go, and the mixed pairs. Medians of BENCH_FT_RUNS (5) trials.

import { ACK_TIMEOUT_MS, activeAndStandby, closeFtEnv, ftEnv, GO_STAN, type Member, Publisher } from '../test/helpers/ft-group.js';
import { haveNatsServer } from '../test/helpers/go-nats.js';
import { closeClient, stanConnect } from '../test/helpers/stan.js';
import { until } from '../test/helpers/wait.js';
import type { Suite } from './suite.js';

const RUNS = Number(process.env.BENCH_FT_RUNS ?? 5);
const WINDOW = 50;
/** Acknowledged messages before the kill. */
const BEFORE = 200;

interface Trial {
  active: number;
  firstAck: number;
}

async function trial(first: Member['kind'], second: Member['kind']): Promise<Trial> {
  const e = await ftEnv();
  try {
    const [a, b] = await activeAndStandby(e, first, second);
    const pub = await stanConnect(e.url, 'ft-bench', { ackTimeout: ACK_TIMEOUT_MS });
    const publisher = new Publisher(pub, 'ft.bench', WINDOW);
    await until(() => publisher.acked.size >= BEFORE, 'acks before the kill', 30_000);
    const from = b.child.stderr.length;
    const killedAt = performance.now();
    a.child.child.kill('SIGKILL');
    await b.child.waitFor(/Server is active/, from);
    const active = performance.now() - killedAt;
    await until(() => publisher.firstAckOfPublishAfter(killedAt) !== undefined, 'a PubAck from the new active', 30_000);
    const firstAck = publisher.firstAckOfPublishAfter(killedAt)! - killedAt;
    await publisher.stop();
    await closeClient(pub);
    return { active, firstAck };
  } finally {
    await closeFtEnv(e);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

export const ftTakeoverSuite: Suite = {
  name: 'ft',
  summary: `FT takeover: SIGKILL of the active to "Server is active" and to the first PubAck of a message published after the kill (client ack timeout ${ACK_TIMEOUT_MS} ms), median of ${RUNS}`,
  async run() {
    if (!haveNatsServer()) {
      console.log('skipped: nats-server is not installed (apt-get install nats-server)');
      return;
    }
    const pairs: [Member['kind'], Member['kind']][] = [['ours', 'ours']];
    if (GO_STAN !== '') pairs.push(['go', 'go'], ['go', 'ours'], ['ours', 'go']);
    else console.log('note: set GO_STAN_SERVER to the Go nats-streaming-server binary for its figures');
    // Interleaved: each round runs every pair once, so machine load falls on all alike.
    const results = new Map<string, Trial[]>(pairs.map(([x, y]) => [`${x} -> ${y}`, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const [x, y] of pairs) results.get(`${x} -> ${y}`)!.push(await trial(x, y));
    }
    console.log(`${'active -> standby'.padEnd(18)} ${'to active'.padStart(10)} ${'to PubAck'.padStart(10)}  (ms; all trials to PubAck)`);
    for (const [name, ts] of results) {
      const acks = ts.map((t) => t.firstAck);
      console.log(
        `${name.padEnd(18)} ${median(ts.map((t) => t.active)).toFixed(0).padStart(10)} ${median(acks).toFixed(0).padStart(10)}  (${acks.map((x) => x.toFixed(0)).join(' ')})`,
      );
    }
  },
};
