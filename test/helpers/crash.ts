// The crash test of a persistent store (issue #5 for FILE, #14 for SQL): a
// server subprocess (`-st file --dir D`, `-st sql ...`) under continuous
// async publishing from node-nats-streaming is killed with SIGKILL at a
// random moment, restarted on the same store, and every message whose
// PubAck the publisher got must be replayed, in order, with contiguous sequences. One trial in
// `npm test`, 50 in `npm run test:long` (STAN_TEST_LONG=1). The replay
// reads the channel's last sequence from the restarted server's monitoring
// endpoint and waits for exactly that many messages.
//
// The client's trap: when its connection closes, node-nats-streaming calls
// every pending ack handler with no error. Only acks that arrive before
// its 'disconnect' event count.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LONG } from './cores.js';
import { ServerChild } from './server-child.js';
import { closeClient, stanConnect } from './stan.js';

const TRIALS = LONG ? 50 : 1;
/** Publishes in flight at once. */
const WINDOW = 1000;
/** The kill comes this long after publishing starts, at random in between. */
const KILL_MIN_MS = 200;
const KILL_MAX_MS = 1500;
const REPLAY_TIMEOUT_MS = 30_000;
export const CHANNEL = 'crash';

/** A store for one trial: the server's store flags, and what removes it afterwards. */
export interface CrashStore {
  args: string[];
  /** A check of the store's files once the trial passed (e.g. that payloads are encrypted). */
  verify?(trial: number): void;
  cleanup(): void | Promise<void>;
}

/** A server on the store of `args`; resolves with its client and monitoring ports once it is ready. */
async function startServer(args: string[]): Promise<{ server: ServerChild; port: number; http: number }> {
  const server = new ServerChild([...args, '-a', '127.0.0.1', '-p', '-1', '-m', '-1']);
  const http = Number((await server.waitFor(/Starting http monitor on [^\s]+:(\d+)\n/))[1]);
  const port = await server.port();
  await server.waitFor(/Streaming Server is ready/);
  return { server, port, http };
}

function connect(port: number, clientId: string): Promise<any> {
  return stanConnect(`nats://127.0.0.1:${port}`, clientId, { reconnect: false });
}

interface PublishResult {
  /** Payload indexes whose PubAck arrived (without error) before the disconnect. */
  acked: Set<number>;
  published: number;
}

/** Publishes `i` = 0, 1, 2... with WINDOW in flight until the connection drops. */
function publishUntilDisconnect(sc: any, onStarted: () => void): Promise<PublishResult> {
  return new Promise((resolve) => {
    const acked = new Set<number>();
    let published = 0;
    let inFlight = 0;
    let down = false;
    sc.once('disconnect', () => {
      down = true;
      resolve({ acked, published });
    });
    const pump = () => {
      while (!down && inFlight < WINDOW) {
        const i = published++;
        inFlight++;
        sc.publish(CHANNEL, `m-${i}`, (err: unknown) => {
          inFlight--;
          if (down) return; // the client's close-time callbacks: not acks
          if (!err) acked.add(i);
          if (inFlight < WINDOW / 2) setImmediate(pump);
        });
      }
    };
    pump();
    onStarted();
  });
}

/** The channel's last sequence as the server's /streaming/channelsz reports it (0 when it has none). */
async function lastSeq(httpPort: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${httpPort}/streaming/channelsz?channel=${CHANNEL}`);
  if (r.status === 404) return 0;
  const body = (await r.json()) as { last_seq: number };
  return body.last_seq;
}

interface Replayed {
  /** Payload index by sequence, from 1. */
  bySeq: number[];
  timestamps: number[];
}

/** Receives the channel's `count` messages (all it holds), from the start. */
function replay(sc: any, count: number): Promise<Replayed> {
  return new Promise((resolve, reject) => {
    const opts = sc.subscriptionOptions().setDeliverAllAvailable().setMaxInFlight(10_000);
    const sub = sc.subscribe(CHANNEL, opts);
    const out: Replayed = { bySeq: [], timestamps: [] };
    let received = 0;
    const done = () => {
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(out);
    };
    const timer = setTimeout(() => reject(new Error(`replay timed out with ${received} of ${count} messages`)), REPLAY_TIMEOUT_MS);
    sub.on('message', (m: any) => {
      const seq: number = m.getSequence();
      const i = Number(String(m.getData()).slice(2));
      if (out.bySeq[seq - 1] === undefined) {
        out.bySeq[seq - 1] = i;
        out.timestamps[seq - 1] = m.getTimestampRaw();
        received++;
      }
      if (received === count) done();
    });
    sub.on('ready', () => {
      if (count === 0) done();
    });
  });
}

/** Runs the crash suite `name` on the stores `newStore` makes, one per trial. */
export function runCrashSuite(name: string, newStore: () => Promise<CrashStore>, label = ''): void {
  const crash = suite(name);

  crash(`SIGKILL under async publishing loses no acknowledged message (${TRIALS} trials${label})`, async () => {
    const report: string[] = [];
    let lostTotal = 0;
    for (let trial = 1; trial <= TRIALS; trial++) {
      const store = await newStore();
      const first = await startServer(store.args);
      let server = first.server;
      try {
        const pub = await connect(first.port, `pub-${trial}`);
        const killAfter = KILL_MIN_MS + Math.floor(Math.random() * (KILL_MAX_MS - KILL_MIN_MS));
        const { acked, published } = await publishUntilDisconnect(pub, () => {
          setTimeout(() => server.child.kill('SIGKILL'), killAfter);
        });
        await server.exited;
        try {
          pub.close();
        } catch {
          // Already closed with its connection.
        }

        const ready = await startServer(store.args);
        server = ready.server;
        const sub = await connect(ready.port, `sub-${trial}`);
        const maxAcked = acked.size === 0 ? -1 : Math.max(...acked);
        const stored = await lastSeq(ready.http);
        assert.ok(stored >= acked.size, `trial ${trial}: ${stored} stored, fewer than the ${acked.size} acked`);
        const got = await replay(sub, stored);
        // Sequences are contiguous from 1 and hold the payloads in publish order.
        for (let s = 0; s < got.bySeq.length; s++) {
          assert.ok(got.bySeq[s] !== undefined, `trial ${trial}: sequence ${s + 1} missing in the replay`);
          if (s > 0) assert.ok(got.bySeq[s]! > got.bySeq[s - 1]!, `trial ${trial}: replay out of publish order at ${s + 1}`);
        }
        const replayed = new Set(got.bySeq);
        const lost = [...acked].filter((i) => !replayed.has(i));
        lostTotal += lost.length;
        // The store goes on after the last recovered sequence.
        await new Promise<void>((resolve, reject) =>
          sub.publish(CHANNEL, 'm-999999999', (err: unknown) => (err ? reject(err) : resolve())),
        );
        assert.is(await lastSeq(ready.http), stored + 1, `trial ${trial}: a new message follows the recovered ones`);
        const again = await replay(sub, stored + 1);
        assert.is(again.bySeq.length, got.bySeq.length + 1, `trial ${trial}: a new message follows the recovered ones`);
        assert.is(again.bySeq[got.bySeq.length], 999999999);
        await closeClient(sub);
        report.push(
          `trial ${trial}: killed after ${killAfter} ms, published ${published}, acked ${acked.size} (max ${maxAcked}), ` +
            `recovered ${got.bySeq.length}, lost ${lost.length}`,
        );
        assert.equal(lost.slice(0, 10), [], `trial ${trial}: acknowledged messages lost:\n${server.stderr}`);
        store.verify?.(trial);
      } finally {
        await server.stop('SIGTERM');
        await store.cleanup();
      }
    }
    console.log(report.join('\n'));
    console.log(`crash test${label}: ${TRIALS} trials, ${lostTotal} lost`);
    assert.is(lostTotal, 0);
  });

  crash.run();
}
