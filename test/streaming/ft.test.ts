// src/streaming/ft.ts: an FT group member on a fake clock and a fake
// transport (the group's behaviour over real sockets and processes is
// ft-group.test.ts): standby while heartbeats come, a lock attempt once
// they stop for the missed window, back to standby while the lock is
// held elsewhere or fails, then active: heartbeats every interval, the
// store recovered (activate), and the split brain guard.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Logger } from '../../src/log/logger.js';
import { decodeFtHeartbeat, encodeFtHeartbeat } from '../../src/streaming/ft-heartbeat.js';
import { FtMember, jittered } from '../../src/streaming/ft.js';
import { FakeClock, FakeTransport } from './fakes.js';

const SUBJECT = '_STAN.ft.test-cluster.grp';

function captureLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (lvl: string) => (m: string) => lines.push(`${lvl} ${m}`);
  return { lines, info: add('INF'), warn: add('WRN'), error: add('ERR'), debug: add('DBG'), trace: add('TRC'), debugEnabled: true, traceEnabled: true };
}

interface Fixture {
  member: FtMember;
  clock: FakeClock;
  transport: FakeTransport;
  log: ReturnType<typeof captureLog>;
  locks: number;
  activations: number;
  fatals: [string, number][];
  /** What the next lock() answers: true, false, or an error to throw. */
  lockAnswer: boolean | Error;
  activateError?: Error;
}

/** Intervals 1000/1250 ms with no jitter (random() = 0). */
function member(): Fixture {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const log = captureLog();
  const f = { clock, transport, log, locks: 0, activations: 0, fatals: [], lockAnswer: false } as unknown as Fixture;
  f.member = new FtMember(
    { group: 'grp', clusterId: 'test-cluster', serverId: 'ME' },
    {
      transport,
      clock,
      log,
      random: () => 0,
      lock: async () => {
        f.locks++;
        if (f.lockAnswer instanceof Error) throw f.lockAnswer;
        return f.lockAnswer;
      },
      activate: async () => {
        f.activations++;
        if (f.activateError) throw f.activateError;
      },
      fatal: (err, code) => f.fatals.push([err.message, code]),
    },
  );
  f.member.start();
  return f;
}

/** Lets the lock attempt's promises settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function makeActive(f: Fixture): Promise<void> {
  f.lockAnswer = true;
  f.clock.advance(1250);
  await settle();
  assert.is(f.member.state, 'FT_ACTIVE');
}

test('standby: logs it, listens to the group subject, and waits while heartbeats come', async () => {
  const f = member();
  assert.ok(f.log.lines.includes('INF STREAM: Starting in standby mode'));
  assert.ok(f.transport.listening(SUBJECT));
  for (let i = 0; i < 10; i++) {
    f.clock.advance(1000);
    f.transport.inject(SUBJECT, encodeFtHeartbeat('OTHER', 1n));
  }
  await settle();
  assert.is(f.locks, 0);
  assert.is(f.member.state, 'FT_STANDBY');
});

test('heartbeats stop: the lock is tried after the missed window; held elsewhere, back to standby', async () => {
  const f = member();
  f.clock.advance(1249);
  await settle();
  assert.is(f.locks, 0);
  f.clock.advance(1);
  await settle();
  assert.is(f.locks, 1);
  assert.is(f.member.state, 'FT_STANDBY');
  assert.ok(f.log.lines.includes('INF STREAM: ft: unable to get store lock at this time, going back to standby'));
  f.clock.advance(1250);
  await settle();
  f.clock.advance(1250);
  await settle();
  assert.is(f.locks, 3);
  // The line is printed with Go's backoff (then 1 s, 2 s, 4 s... later), not at every attempt.
  assert.is(f.log.lines.filter((l) => l.includes('unable to get store lock')).length, 2);
  assert.is(f.activations, 0);
  assert.is(f.transport.sent.length, 0);
});

test('a lock error is logged in Go words and retried', async () => {
  const f = member();
  f.lockAnswer = new Error('open /x/.rootdir.lck: permission denied');
  f.clock.advance(1250);
  await settle();
  assert.ok(
    f.log.lines.includes('ERR STREAM: ft: error attempting to get the store lock: ft: fatal error getting the store lock: open /x/.rootdir.lck: permission denied'),
  );
  f.lockAnswer = true;
  f.clock.advance(1250);
  await settle();
  assert.is(f.member.state, 'FT_ACTIVE');
});

test('active: "Server is active", a heartbeat at once then every interval, the store recovered', async () => {
  const f = member();
  await makeActive(f);
  assert.ok(f.log.lines.includes('INF STREAM: Server is active'));
  assert.is(f.activations, 1);
  assert.is(f.transport.sent.length, 1);
  const hb = decodeFtHeartbeat(f.transport.sent[0]!.data)!;
  assert.is(f.transport.sent[0]!.subject, SUBJECT);
  assert.is(hb.serverId, 'ME');
  assert.is(hb.activatedNs, BigInt(f.clock.now()) * 1_000_000n);
  f.clock.advance(3000);
  assert.is(f.transport.sent.length, 4);
  // Its own heartbeats, and a later claimant's, do not end it.
  f.transport.inject(SUBJECT, f.transport.sent[0]!.data);
  f.transport.inject(SUBJECT, encodeFtHeartbeat('LATER', hb.activatedNs! + 1n));
  assert.equal(f.fatals, []);
  assert.ok(f.log.lines.includes('ERR STREAM: ft: serverID "LATER" claims to be active'));
  f.member.stop();
  f.clock.advance(5000);
  assert.is(f.transport.sent.length, 4);
});

test('split brain: another active that was first makes this one abort with Go\'s error', async () => {
  const f = member();
  await makeActive(f);
  f.transport.inject(SUBJECT, encodeFtHeartbeat('FIRST', f.member.activatedNs - 1n));
  assert.equal(f.fatals, [['ft: serverID "FIRST" claims to be active, aborting', 2]]);
  assert.is(f.member.state, 'FAILED');
  const sent = f.transport.sent.length;
  f.clock.advance(5000);
  assert.is(f.transport.sent.length, sent);
});

test('the active checks the store lock each heartbeat: lost to another server, it aborts', async () => {
  const f = member();
  await makeActive(f);
  const locks = f.locks;
  f.clock.advance(1000);
  await settle();
  assert.is(f.locks, locks + 1);
  assert.equal(f.fatals, []);
  f.lockAnswer = false;
  f.clock.advance(1000);
  await settle();
  assert.equal(f.fatals, [['lost store lock, aborting', 2]]);
  assert.is(f.member.state, 'FAILED');
});

test('a recovery that fails is fatal', async () => {
  const f = member();
  f.activateError = new Error('cluster ID "a" does not match recovered value of "b"');
  f.lockAnswer = true;
  f.clock.advance(1250);
  await settle();
  assert.equal(f.fatals, [['cluster ID "a" does not match recovered value of "b"', 1]]);
  assert.is(f.member.state, 'FAILED');
});

test('stop() in standby: no lock attempt afterwards', async () => {
  const f = member();
  f.member.stop();
  f.clock.advance(10_000);
  await settle();
  assert.is(f.locks, 0);
  assert.not.ok(f.transport.listening(SUBJECT));
});

test('jitter: within 10 %, drawn as Go draws it; a missed window too close to the interval is refused', () => {
  assert.is(jittered(1000, () => 0), 1000);
  const seq = [0.999, 0.9];
  assert.is(jittered(1000, () => seq.shift()!), 1099);
  const seq2 = [0.5, 0.1];
  assert.is(jittered(1250, () => seq2.shift()!), 1188);
  assert.throws(
    () => new FtMember({ group: 'g', clusterId: 'c', serverId: 's', hbIntervalMs: 1000, missedMs: 1050 }, {} as never),
    /missed heartbeat interval needs to be at least 10%/,
  );
});

test.run();
