// A load generator for core NATS servers, used the same way against ours
// and Debian's nats-server: raw sockets, pre-built PUB batches, and
// subscribers that only count bytes, so that the generator costs far less
// than the server it measures. Runs in its own process:
//   node nats-load.js <port> <messages> <size> <subscribers> [<sub port>]
// and prints one JSON line of results. With a subscriber port (another
// server of a cluster), the messages cross a route: the publisher probes
// until the subscribers' interest has reached its server.

import { connect, type Socket } from 'node:net';

const [port, total, size, subCount, subPortArg] = process.argv.slice(2).map(Number) as [number, number, number, number, number?];
const subPort = subPortArg || port;
const SUBJECT = 'bench.load';
const PROBE = 'bench.probe';
/** PUB frames written per socket write. */
const BATCH = 512;

function open(to = port): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(to, '127.0.0.1', () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

/** Sends CONNECT (+SUB) and waits for the PONG that confirms them. */
async function handshake(s: Socket, extra: string): Promise<Buffer> {
  s.write(`CONNECT {"verbose":false,"pedantic":false}\r\n${extra}PING\r\n`);
  let seen = Buffer.alloc(0);
  return new Promise((resolve) => {
    const onData = (d: Buffer) => {
      seen = Buffer.concat([seen, d]);
      const at = seen.indexOf('PONG\r\n');
      if (at >= 0) {
        s.off('data', onData);
        resolve(seen.subarray(at + 6));
      }
    };
    s.on('data', onData);
  });
}

const frameIn = Buffer.byteLength(`MSG ${SUBJECT} 1 ${size}\r\n`) + size + 2;
const expected = total * frameIn;

const subs = await Promise.all(
  Array.from({ length: subCount }, async () => {
    const s = await open(subPort);
    const routed = subPort !== port;
    const rest = await handshake(s, `SUB ${SUBJECT} 1\r\n${routed ? `SUB ${PROBE} 2\r\n` : ''}`);
    // Routed: bytes count from the first probe seen (probes in flight then cost a few bytes).
    let ready = !routed;
    let bytes = routed ? 0 : rest.length;
    let doneAt = 0n;
    const done = new Promise<bigint>((resolve) => {
      const check = () => {
        if (ready && bytes >= expected && doneAt === 0n) {
          doneAt = process.hrtime.bigint();
          resolve(doneAt);
        }
      };
      s.on('data', (d: Buffer) => {
        if (!ready) {
          const at = d.indexOf(`MSG ${PROBE} `);
          if (at < 0) return;
          ready = true;
          const end = d.indexOf('\r\n\r\n', at);
          d = d.subarray(end < 0 ? d.length : end + 4);
        }
        bytes += d.length;
        check();
      });
      check();
    });
    return { s, done, isReady: () => ready };
  }),
);

const pub = await open();
await handshake(pub, '');
while (!subs.every((s) => s.isReady())) {
  pub.write(`PUB ${PROBE} 0\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 20));
}
const payload = Buffer.alloc(size, 0x61);
const frame = Buffer.concat([Buffer.from(`PUB ${SUBJECT} ${size}\r\n`), payload, Buffer.from('\r\n')]);
const batch = Buffer.concat(Array.from({ length: BATCH }, () => frame));

const t0 = process.hrtime.bigint();
let sent = 0;
while (sent < total) {
  const n = Math.min(BATCH, total - sent);
  const ok = pub.write(n === BATCH ? batch : batch.subarray(0, n * frame.length));
  sent += n;
  if (!ok) await new Promise((r) => pub.once('drain', r));
}
const tPub = process.hrtime.bigint();
const ends = await Promise.all(subs.map((s) => s.done));
const tEnd = ends.reduce((a, b) => (b > a ? b : a), tPub);

const secs = (t: bigint) => Number(t - t0) / 1e9;
console.log(
  JSON.stringify({
    published: total,
    delivered: total * subCount,
    pubSeconds: secs(tPub),
    seconds: secs(tEnd),
    pubRate: total / secs(tEnd),
    deliverRate: (total * subCount) / secs(tEnd),
  }),
);
pub.destroy();
for (const s of subs) s.s.destroy();
