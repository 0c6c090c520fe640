// Many raw core NATS connections (issue #18): our server and Debian's
// nats-server, each in a process of its own, driven by this process in the
// same run. Per cycle: open BENCH_CONNS connections (CONNECT, SUB to one of
// GROUPS subjects, PING; accept time = until every PONG), RSS per
// connection, a fan-out (PUBS publishes round-robin over the subjects, each
// delivered to every subscriber of its subject; time = until every delivery
// arrived), then close them all and read the RSS once the server settled.
// `node dist/bench/run.js connections` (BENCH_CONNS, BENCH_CONN_CYCLES);
// the fd limit (ulimit -n) must exceed the connection count.

import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { memory } from './server-proc.js';
import { startGo, startOurs, type Started } from './nats.js';
import type { Suite } from './suite.js';

const CONNS = Number(process.env.BENCH_CONNS ?? 10_000);
const CYCLES = Number(process.env.BENCH_CONN_CYCLES ?? 3);
/** Subjects the subscribers spread over: CONNS / GROUPS deliveries per publish. */
const GROUPS = 400;
const PUBS = 5_000;
/** Connections being opened at once. */
const OPENING = 500;
/** How long the server is left to settle (GC, frees) before RSS is read after close. */
const SETTLE_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * CPU seconds a process used so far (user + system, /proc/<pid>/stat):
 * on a shared machine, steadier than wall time.
 */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A connection counting the messages it received (two CRLF per MSG without CR/LF in the payload). */
interface Conn {
  socket: Socket;
  lines: number;
}

function open(port: number, i: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const c: Conn = { socket: connect(port, '127.0.0.1'), lines: 0 };
    let ready = false;
    c.socket.on('error', reject);
    c.socket.on('data', (d: Buffer) => {
      for (let at = d.indexOf(10); at >= 0; at = d.indexOf(10, at + 1)) c.lines++;
      // INFO, PONG: the connection is set up.
      if (!ready && c.lines >= 2) {
        ready = true;
        c.lines = 0;
        resolve(c);
      }
    });
    c.socket.write(`CONNECT {"verbose":false,"pedantic":false}\r\nSUB fan.${i % GROUPS} ${i}\r\nPING\r\n`);
  });
}

async function openAll(port: number): Promise<Conn[]> {
  const conns: Conn[] = [];
  let next = 0;
  const worker = async () => {
    while (next < CONNS) conns.push(await open(port, next++));
  };
  await Promise.all(Array.from({ length: OPENING }, worker));
  return conns;
}

async function fanOut(port: number, conns: Conn[]): Promise<number> {
  const pub = connect(port, '127.0.0.1');
  await new Promise((r) => pub.once('connect', r));
  pub.write('CONNECT {"verbose":false,"pedantic":false}\r\n');
  const expected = conns.length * 2 * Math.floor(PUBS / GROUPS) + 2 * conns.filter((_, i) => i % GROUPS < PUBS % GROUPS).length;
  const t0 = performance.now();
  let batch = '';
  for (let i = 0; i < PUBS; i++) batch += `PUB fan.${i % GROUPS} 16\r\n0123456789abcdef\r\n`;
  pub.write(batch);
  for (;;) {
    let got = 0;
    for (const c of conns) got += c.lines;
    if (got >= expected) break;
    await sleep(5);
  }
  const ms = performance.now() - t0;
  pub.destroy();
  return ms;
}

async function closeAll(conns: Conn[]): Promise<void> {
  await Promise.all(conns.map((c) => new Promise<void>((r) => {
    c.socket.once('close', () => r());
    c.socket.destroy();
  })));
}

interface Cycle {
  acceptMs: number;
  acceptCpu: number;
  fanOutCpu: number;
  kbPerConn: number;
  fanOutMs: number;
  rssOpenMb: number;
  rssAfterMb: number;
}

/** `start`: the server's RSS before the first cycle; KB per connection are counted from it. */
async function cycle(s: Started, start: number): Promise<Cycle> {
  const pid = s.proc.pid!;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const conns = await openAll(s.port);
  const acceptMs = performance.now() - t0;
  const acceptCpu = cpuSeconds(pid) - cpu0;
  await sleep(500);
  const rssOpen = memory(pid).rss;
  const cpu1 = cpuSeconds(pid);
  const fanOutMs = await fanOut(s.port, conns);
  const fanOutCpu = cpuSeconds(pid) - cpu1;
  await closeAll(conns);
  await sleep(SETTLE_MS);
  const after = memory(s.proc.pid!).rss;
  return { acceptMs, acceptCpu, fanOutCpu, kbPerConn: ((rssOpen - start) * 1024) / CONNS, fanOutMs, rssOpenMb: rssOpen, rssAfterMb: after };
}

export const connectionsSuite: Suite = {
  name: 'connections',
  summary: `${CONNS} raw connections x ${CYCLES} cycles: accept, RSS per connection, fan-out of ${PUBS} PUBs to ${(PUBS * CONNS) / GROUPS} deliveries, RSS after close`,
  async run() {
    const servers = [await startOurs()];
    const go = await startGo();
    if (go) servers.push(go);
    else console.log('note: nats-server is not installed: only ours is measured');
    try {
      await sleep(1000);
      const start = servers.map((s) => memory(s.proc.pid!).rss);
      for (let k = 1; k <= CYCLES; k++) {
        // Interleaved: each cycle measures both servers back to back.
        for (const [i, s] of servers.entries()) {
          const c = await cycle(s, start[i]!);
          console.log(
            `cycle ${k} ${s.label.padEnd(24)} accept ${(c.acceptMs / 1000).toFixed(2)} s (cpu ${c.acceptCpu.toFixed(2)} s)  ${c.kbPerConn.toFixed(1)} KB/conn  ` +
              `fan-out ${(c.fanOutMs / 1000).toFixed(2)} s (cpu ${c.fanOutCpu.toFixed(2)} s)  RSS start ${start[i]!.toFixed(0)} MB, open ${c.rssOpenMb.toFixed(0)} MB, after close ${c.rssAfterMb.toFixed(0)} MB`,
          );
        }
      }
    } finally {
      for (const s of servers) s.proc.kill('SIGTERM');
    }
  },
};
