// Subscriptions end to end (STAN-REFERENCE §2.5, §2.8, §2.10, §4, §11):
// start positions, SubscriptionRequest validation in the Go order, plain
// durables (resume, identity, unsubscribe vs close vs connection close),
// queue groups and durable queue groups (shadow), the SubscriptionResponse
// preceding the first message, and the unsubscribe / subscription-close
// requests (error texts, ordering after publishes). Driven by
// node-nats-streaming over real sockets, plus raw pb requests on the `nats`
// v2 package where exact texts or wire order matter. Every suite runs on
// the embedded NATS server and with -ns on Debian's nats-server.

/* eslint-disable @typescript-eslint/no-explicit-any */

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInbox } from 'nats';
import * as pb from '../../src/pb/protocol.js';
import { defaultStanOptions, type StanOptions } from '../../src/streaming/options.js';
import { closeClient, publish, until } from '../helpers/stan.js';
import { withEnv, type Env } from '../helpers/stan-env.js';
import { publishRange, range, subscribe, subscribeError, variants, type Start, type Sub, type Variant } from '../helpers/stan-sub.js';

const E = {
  INVALID_SUB_REQ: 'stan: invalid subscription request',
  MISSING_CLIENT: 'stan: clientID missing',
  INVALID_ACK_WAIT: 'stan: invalid ack wait time, should be >= 1s',
  INVALID_MAX_INFLIGHT: 'stan: invalid MaxInflight, should be >= 1',
  INVALID_START: 'stan: invalid start position',
  INVALID_SUBJECT: 'stan: invalid subject',
  UNKNOWN_CLIENT: 'stan: unknown clientID',
  DUP_DURABLE: 'stan: duplicate durable registration',
  DURABLE_COLON: "stan: durable name of a durable queue subscriber can't contain the character ':'",
  TOO_MANY_SUBS: 'too many subscriptions per channel',
  INVALID_UNSUB_REQ: 'stan: invalid unsubscribe request',
  // An unknown channel is answered as an invalid subscription, as the Go
  // server's unsubscribe() does (ErrInvalidSub); STAN-REFERENCE §2.8 says
  // `stan: unknown channel`, which no Go source we could read contains.
  INVALID_SUB: 'stan: invalid subscription',
};

/** Bytes no protobuf decoder accepts: field 1, length 16, one byte present. */
const GARBAGE = [Buffer.from([0x0a, 0x10, 0x61]), Buffer.from([0x0f, 0x01])];

function limits(over: Partial<StanOptions['storeLimits']>): Partial<StanOptions> {
  return { storeLimits: { ...defaultStanOptions().storeLimits, ...over } };
}

const data = (seqs: number[]) => seqs.map((i) => `m${i}`);

/** Every message arrived after the SubscriptionResponse, in the given order, never redelivered. */
function assertFresh(s: Sub, seqs: number[], what: string): void {
  assert.equal(s.seqs(), seqs, `${what}: sequences`);
  assert.equal(
    s.got.map((m) => m.data),
    data(seqs),
    `${what}: data`,
  );
  for (const m of s.got) {
    assert.is(m.subject, s.subject, `${what}: subject of ${m.seq}`);
    assert.is(m.redelivered, false, `${what}: redelivered flag of ${m.seq}`);
    assert.is(m.count, 0, `${what}: redelivery count of ${m.seq}`);
    assert.ok(m.afterReady, `${what}: ${m.seq} arrived before the SubscriptionResponse`);
  }
}

function assertAfterReady(s: Sub, what: string): void {
  for (const m of s.got) assert.ok(m.afterReady, `${what}: ${m.seq} arrived before the SubscriptionResponse`);
}

/** A channel holding m1..m<n>. */
async function seeded(env: Env, pub: any, n: number): Promise<string> {
  const ch = env.channel();
  if (n > 0) await publishRange(pub, ch, 1, n);
  return ch;
}

/**
 * Subscribes once per start position to a channel holding m1..m<n>, then
 * publishes m<n+1> (what a "new only" subscription gets) and checks each
 * subscription got exactly its expected sequences followed by n+1.
 */
async function checkStarts(pub: any, sc: any, ch: string, n: number, cases: [string, Start, number[]][]): Promise<void> {
  const subs: Sub[] = [];
  for (const [, start] of cases) subs.push(await subscribe(sc, ch, { start }));
  await publish(pub, ch, `m${n + 1}`);
  for (let i = 0; i < cases.length; i++) {
    const [name, , expected] = cases[i]!;
    await subs[i]!.waitSeq(n + 1);
    assertFresh(subs[i]!, [...expected, n + 1], name);
  }
}

// ---------------------------------------------------------------------------

function startPositions(v: Variant): void {
  const test = suite(`subscribe/start-positions [${v.name}]`);

  test('NewOnly, LastReceived, SequenceStart, First on a channel holding 1..5', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('sub');
      const ch = await seeded(env, pub, 5);
      await checkStarts(pub, sc, ch, 5, [
        ['NewOnly', 'new', []],
        ['LastReceived', 'last', [5]],
        ['SequenceStart 3', { seq: 3 }, [3, 4, 5]],
        ['SequenceStart 1', { seq: 1 }, [1, 2, 3, 4, 5]],
        ['SequenceStart 0 (below first)', { seq: 0 }, [1, 2, 3, 4, 5]],
        ['SequenceStart 5 (last)', { seq: 5 }, [5]],
        ['SequenceStart 6 (above last)', { seq: 6 }, []],
        ['SequenceStart 100 (above last)', { seq: 100 }, []],
        ['First', 'first', [1, 2, 3, 4, 5]],
      ]);
    }),
  );

  test('every start position on an empty channel delivers only new messages', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('sub');
      const ch = env.channel('empty');
      await checkStarts(pub, sc, ch, 0, [
        ['NewOnly', 'new', []],
        ['LastReceived', 'last', []],
        ['SequenceStart 3', { seq: 3 }, []],
        ['TimeDeltaStart 1h', { deltaMs: 3_600_000 }, []],
        ['First', 'first', []],
      ]);
    }),
  );

  test('TimeDeltaStart: messages at or after the time', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('sub');
      const ch = await seeded(env, pub, 3);
      const probe = await subscribe(sc, ch, { start: 'first' });
      await probe.waitCount(3);
      const ts3 = probe.got[2]!.tsMs;
      // A clear gap in time between message 3 and message 4.
      await until(() => Date.now() > ts3 + 400, 'time to pass message 3');
      await publishRange(pub, ch, 4, 5);
      await probe.waitCount(5);
      const ts4 = probe.got[3]!.tsMs;
      const ts5 = probe.got[4]!.tsMs;
      assert.ok(ts4 > ts3 + 400, `timestamps ${ts3} then ${ts4}`);
      for (let i = 1; i < 5; i++) assert.ok(probe.got[i]!.tsMs >= probe.got[i - 1]!.tsMs, 'timestamps are monotonic');
      await until(() => Date.now() > ts5 + 5, 'time to pass message 5');
      const cut = Math.floor(ts3) + 20; // after 3, well before 4
      await checkStarts(pub, sc, ch, 5, [
        ['setStartTime(between 3 and 4)', { time: new Date(cut) }, [4, 5]],
        ['setStartAtTimeDelta(now - between 3 and 4)', { deltaMs: Date.now() - cut }, [4, 5]],
        ['setStartAtTimeDelta(1h)', { deltaMs: 3_600_000 }, [1, 2, 3, 4, 5]],
        ['setStartAtTimeDelta(0): after the newest', { deltaMs: 0 }, []],
      ]);
    }),
  );

  test('start positions after the oldest messages were dropped by max_msgs', () =>
    withEnv(v, { stan: limits({ maxMsgs: 3 }) }, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('sub');
      const ch = await seeded(env, pub, 5); // 1 and 2 dropped: 3..5 stored
      const c = env.f.stan.channels.get(ch)!;
      assert.equal([c.msgs.firstSeq, c.msgs.lastSeq], [3, 5]);
      await checkStarts(pub, sc, ch, 5, [
        ['NewOnly', 'new', []],
        ['LastReceived', 'last', [5]],
        ['SequenceStart 1 (below first)', { seq: 1 }, [3, 4, 5]],
        ['SequenceStart 2 (below first)', { seq: 2 }, [3, 4, 5]],
        ['SequenceStart 4', { seq: 4 }, [4, 5]],
        ['SequenceStart 9 (above last)', { seq: 9 }, []],
        ['TimeDeltaStart 1h', { deltaMs: 3_600_000 }, [3, 4, 5]],
        ['First', 'first', [3, 4, 5]],
      ]);
    }),
  );

  test('a subscription positioned on dropped messages skips to the new first', () =>
    withEnv(v, { stan: limits({ maxMsgs: 3 }) }, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('sub');
      const ch = await seeded(env, pub, 3);
      const s = await subscribe(sc, ch, { start: 'first', manual: true, maxInFlight: 1 });
      await s.waitSeq(1);
      // Stalled on 1: 2..3 wait; 4..7 push 2..4 out of the store.
      await publishRange(pub, ch, 4, 7);
      assert.equal(s.seqs(), [1]);
      s.ack(1);
      await s.waitSeq(5);
      s.ack(5);
      await s.waitSeq(6);
      s.ack(6);
      await s.waitSeq(7);
      assertFresh(s, [1, 5, 6, 7], 'after the drop');
    }),
  );

  test.run();
}

// ---------------------------------------------------------------------------

function validation(v: Variant): void {
  const test = suite(`subscribe/validation [${v.name}]`);

  test('SubscriptionRequest errors, each check before the next in the Go order', () =>
    withEnv(v, {}, async (env) => {
      const raw = await env.raw();
      await raw.register('rawc');
      const ok: pb.Init<pb.SubscriptionRequest> = {
        clientID: 'rawc',
        subject: 'v.ok',
        inbox: createInbox(),
        maxInFlight: 10,
        ackWaitInSecs: 30,
        startPosition: 0,
      };
      const bad = { clientID: '', ackWaitInSecs: 0, maxInFlight: 0, startPosition: 9, subject: 'foo.*', qGroup: 'g', durableName: 'a:b' };
      const cases: [string, pb.Init<pb.SubscriptionRequest>, string][] = [
        ['everything wrong', { ...ok, ...bad }, E.MISSING_CLIENT],
        ['ack wait 0 first', { ...ok, ...bad, clientID: 'nobody' }, E.INVALID_ACK_WAIT],
        ['ack wait negative', { ...ok, ackWaitInSecs: -1 }, E.INVALID_ACK_WAIT],
        ['max in flight 0', { ...ok, ...bad, clientID: 'nobody', ackWaitInSecs: 30 }, E.INVALID_MAX_INFLIGHT],
        ['max in flight negative', { ...ok, maxInFlight: -5 }, E.INVALID_MAX_INFLIGHT],
        ['start position 9', { ...ok, ...bad, clientID: 'nobody', ackWaitInSecs: 1, maxInFlight: 1 }, E.INVALID_START],
        ['start position 5', { ...ok, startPosition: 5 }, E.INVALID_START],
        ['start position -1', { ...ok, startPosition: -1 }, E.INVALID_START],
        ...['foo.*', 'a..b', 'a/b', 'foo.>', '>', '*', '.a', 'a.', 'f*o', ''].map(
          (subject): [string, pb.Init<pb.SubscriptionRequest>, string] => [
            `subject ${JSON.stringify(subject)}`,
            { ...ok, ...bad, clientID: 'nobody', ackWaitInSecs: 1, maxInFlight: 1, startPosition: 4, subject },
            E.INVALID_SUBJECT,
          ],
        ),
        ['unknown clientID', { ...ok, clientID: 'nobody', qGroup: 'g', durableName: 'a:b', subject: 'v.unknown' }, E.UNKNOWN_CLIENT],
        ['durable queue name with a colon', { ...ok, qGroup: 'g', durableName: 'a:b' }, E.DURABLE_COLON],
      ];
      for (const [name, req, want] of cases) {
        const r = await raw.subscribe(req);
        assert.is(r.error, want, name);
        assert.is(r.ackInbox, '', `${name}: no ackInbox`);
      }
      for (const g of GARBAGE) {
        const r = await raw.subscribeBytes(g);
        assert.is(r.error, E.INVALID_SUB_REQ, `garbage ${g.toString('hex')}`);
      }
      // The unknown client's request was refused before the channel was created.
      assert.is(env.f.stan.channels.get('v.unknown'), undefined, 'no channel for an unknown client');
      // A valid request succeeds: an ackInbox, no error.
      const r = await raw.subscribe(ok);
      assert.is(r.error, '');
      assert.match(r.ackInbox, /^_INBOX\./);
      // A plain (non-queue) durable may contain ':'.
      const d = await raw.subscribe({ ...ok, inbox: createInbox(), durableName: 'a:b' });
      assert.is(d.error, '');
    }),
  );

  test('node client: durable queue name with a colon, subject with a wildcard', () =>
    withEnv(v, {}, async (env) => {
      const sc = await env.connect('c1');
      assert.is(await subscribeError(sc, 'q.colon', { queue: 'g', durable: 'a:b' }), E.DURABLE_COLON);
      assert.is(await subscribeError(sc, 'foo.*', {}), E.INVALID_SUBJECT);
      assert.is(await subscribeError(sc, 'foo.>', { durable: 'd' }), E.INVALID_SUBJECT);
      assert.is(await subscribeError(sc, 'a..b', {}), E.INVALID_SUBJECT);
      assert.is(await subscribeError(sc, 'a/b', {}), E.INVALID_SUBJECT);
      assert.is(await subscribeError(sc, 'x', { maxInFlight: 0 }), E.INVALID_MAX_INFLIGHT);
      assert.is(await subscribeError(sc, 'x', { ackWaitMs: 0 }), E.INVALID_ACK_WAIT);
    }),
  );

  test('duplicate durable registration; another clientID or after close is fine', () =>
    withEnv(v, {}, async (env) => {
      const sc = await env.connect('c1');
      const ch = env.channel();
      const s1 = await subscribe(sc, ch, { durable: 'd' });
      assert.is(await subscribeError(sc, ch, { durable: 'd' }), E.DUP_DURABLE);
      assert.is(await subscribeError(sc, ch, { durable: 'd', start: 'first' }), E.DUP_DURABLE);
      // Same durable name on another channel or from another client: other durables.
      await subscribe(sc, env.channel(), { durable: 'd' });
      const other = await env.connect('c2');
      await subscribe(other, ch, { durable: 'd' });
      // Once closed (offline), the same durable resumes.
      await s1.close();
      await subscribe(sc, ch, { durable: 'd' });
      assert.is(await subscribeError(sc, ch, { durable: 'd' }), E.DUP_DURABLE);
    }),
  );

  test('replace_durable: the active durable is closed and the new request resumes it', () =>
    withEnv(v, { stan: { replaceDurable: true } }, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('c1');
      const ch = await seeded(env, pub, 3);
      const s1 = await subscribe(sc, ch, { durable: 'd', start: 'first', manual: true });
      await s1.waitCount(3);
      s1.ack(1);
      const s2 = await subscribe(sc, ch, { durable: 'd', start: 'new', manual: true });
      await s2.waitCount(2);
      assert.equal(s2.flags(), [
        [2, true],
        [3, true],
      ]);
      s2.ack(2, 3);
      await publish(pub, ch, 'm4');
      await s2.waitSeq(4);
      assert.equal(s2.flags(), [
        [2, true],
        [3, true],
        [4, false],
      ]);
      assertAfterReady(s2, 'replacement');
      // The replaced subscription gets nothing more.
      await publish(pub, ch, 'm5');
      await s2.waitSeq(5);
      assertFresh(s1, [1, 2, 3], 'replaced');
    }),
  );

  test('too many subscriptions per channel counts offline durables; checked after the others', () =>
    withEnv(v, { stan: limits({ maxSubscriptions: 2 }) }, async (env) => {
      const sc = await env.connect('c1');
      const ch = env.channel();
      const a = await subscribe(sc, ch, {});
      const d = await subscribe(sc, ch, { durable: 'd' });
      assert.is(await subscribeError(sc, ch, {}), E.TOO_MANY_SUBS);
      assert.is(await subscribeError(sc, ch, { queue: 'g' }), E.TOO_MANY_SUBS);
      assert.is(await subscribeError(sc, ch, { durable: 'other' }), E.TOO_MANY_SUBS);
      // Earlier checks win over the limit.
      assert.is(await subscribeError(sc, ch, { durable: 'd' }), E.DUP_DURABLE);
      assert.is(await subscribeError(sc, ch, { queue: 'g', durable: 'x:y' }), E.DURABLE_COLON);
      // An offline durable still counts...
      await d.close();
      assert.is(await subscribeError(sc, ch, {}), E.TOO_MANY_SUBS);
      // ...and resuming it needs no room.
      const d2 = await subscribe(sc, ch, { durable: 'd' });
      // Another channel has its own count.
      await subscribe(sc, env.channel(), {});
      // Unsubscribing makes room.
      await d2.unsubscribe();
      await subscribe(sc, ch, {});
      assert.is(await subscribeError(sc, ch, {}), E.TOO_MANY_SUBS);
      await a.unsubscribe();
      await subscribe(sc, ch, { queue: 'g' });
    }),
  );

  test.run();
}

// ---------------------------------------------------------------------------

function durables(v: Variant): void {
  const test = suite(`subscribe/durables [${v.name}]`);

  test('a durable resumes after a client restart: unacked first (redelivered), then new, no duplicates', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = env.channel();
      const c1 = await env.connect('dur-c');
      const s1 = await subscribe(c1, ch, { durable: 'd', manual: true });
      await publishRange(pub, ch, 1, 5);
      await s1.waitCount(5);
      assertFresh(s1, [1, 2, 3, 4, 5], 'first run');
      s1.ack(1, 2, 3);
      await closeClient(c1);
      await publishRange(pub, ch, 6, 7);
      const c2 = await env.connect('dur-c');
      // The start position of a resumed durable is ignored.
      const s2 = await subscribe(c2, ch, { durable: 'd', manual: true, start: 'first' });
      await s2.waitCount(4);
      assert.equal(s2.flags(), [
        [4, true],
        [5, true],
        [6, false],
        [7, false],
      ]);
      assert.equal(
        s2.got.map((m) => m.count),
        [1, 1, 0, 0],
      );
      assert.equal(
        s2.got.map((m) => m.data),
        data([4, 5, 6, 7]),
      );
      assertAfterReady(s2, 'resumed');
      s2.ackAll();
      await publish(pub, ch, 'm8');
      await s2.waitSeq(8);
      assert.equal(s2.seqs(), [4, 5, 6, 7, 8]);
    }),
  );

  test('start position is ignored on resume (SequenceStart, LastReceived)', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('c1');
      const ch = await seeded(env, pub, 3);
      const s1 = await subscribe(sc, ch, { durable: 'd', start: 'first' });
      await s1.waitCount(3);
      await s1.close();
      await publishRange(pub, ch, 4, 5);
      const s2 = await subscribe(sc, ch, { durable: 'd', start: { seq: 1 } });
      await s2.waitCount(2);
      await s2.close();
      await publish(pub, ch, 'm6');
      const s3 = await subscribe(sc, ch, { durable: 'd', start: 'last' });
      await publish(pub, ch, 'm7');
      await s3.waitSeq(7);
      assertFresh(s2, [4, 5], 'SequenceStart 1 on resume');
      assertFresh(s3, [6, 7], 'LastReceived on resume');
    }),
  );

  test('durable identity includes the clientID', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = await seeded(env, pub, 3);
      const a = await env.connect('A');
      const b = await env.connect('B');
      const sa = await subscribe(a, ch, { durable: 'd', start: 'first' });
      await sa.waitCount(3);
      // B's durable "d" is another durable: no duplicate error, its own start.
      const sb = await subscribe(b, ch, { durable: 'd', start: 'first' });
      await sb.waitCount(3);
      await publish(pub, ch, 'm4');
      await sa.waitSeq(4);
      await sb.waitSeq(4);
      // A's goes offline; B's is unaffected; A's resumes at its own position.
      await sa.close();
      await publish(pub, ch, 'm5');
      await sb.waitSeq(5);
      const sa2 = await subscribe(a, ch, { durable: 'd', start: 'first' });
      await publish(pub, ch, 'm6');
      await sa2.waitSeq(6);
      await sb.waitSeq(6);
      assertFresh(sa, [1, 2, 3, 4], 'A before close');
      assertFresh(sa2, [5, 6], 'A resumed');
      assertFresh(sb, [1, 2, 3, 4, 5, 6], 'B');
    }),
  );

  test('sub.unsubscribe() deletes the durable: re-subscribing starts fresh at its start position', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('c1');
      const ch = await seeded(env, pub, 3);
      const s1 = await subscribe(sc, ch, { durable: 'd', start: 'first', manual: true });
      await s1.waitCount(3);
      s1.ack(1); // 2 and 3 stay unacked: gone with the durable
      await s1.unsubscribe();
      await publish(pub, ch, 'm4');
      const s2 = await subscribe(sc, ch, { durable: 'd', start: 'first' });
      await s2.waitCount(4);
      assertFresh(s2, [1, 2, 3, 4], 'fresh First');
      await s2.unsubscribe();
      const s3 = await subscribe(sc, ch, { durable: 'd', start: 'new' });
      await publish(pub, ch, 'm5');
      await s3.waitSeq(5);
      assertFresh(s3, [5], 'fresh NewOnly');
    }),
  );

  test('sub.close() keeps the durable offline: resumes with its pending and what it missed', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const sc = await env.connect('c1');
      const ch = await seeded(env, pub, 3);
      const s1 = await subscribe(sc, ch, { durable: 'd', start: 'first', manual: true });
      await s1.waitCount(3);
      s1.ack(1);
      await s1.close();
      await publishRange(pub, ch, 4, 5);
      const s2 = await subscribe(sc, ch, { durable: 'd', start: { seq: 1 }, manual: true });
      await s2.waitCount(4);
      assert.equal(s2.flags(), [
        [2, true],
        [3, true],
        [4, false],
        [5, false],
      ]);
      assertAfterReady(s2, 'resumed');
      s2.ackAll();
      await publish(pub, ch, 'm6');
      await s2.waitSeq(6);
      assert.equal(s2.seqs(), [2, 3, 4, 5, 6]);
    }),
  );

  test('connection close keeps the durable offline; non-durables are gone', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = await seeded(env, pub, 2);
      const c1 = await env.connect('c1');
      const d = await subscribe(c1, ch, { durable: 'd', start: 'first' });
      await subscribe(c1, ch, { start: 'first' });
      await d.waitCount(2);
      await closeClient(c1);
      const c = env.f.stan.channels.get(ch)!;
      assert.is(c.subs.size, 1, 'only the offline durable is left');
      await publish(pub, ch, 'm3');
      const c2 = await env.connect('c1');
      const d2 = await subscribe(c2, ch, { durable: 'd', start: 'first' });
      await publish(pub, ch, 'm4');
      await d2.waitSeq(4);
      assertFresh(d2, [3, 4], 'resumed after connection close');
    }),
  );

  test.run();
}

// ---------------------------------------------------------------------------

function queues(v: Variant): void {
  const test = suite(`subscribe/queues [${v.name}]`);

  test('messages are split across the members with no duplicates; plain subscribers get all', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = env.channel();
      const c1 = await env.connect('q1');
      const c2 = await env.connect('q2');
      const m1 = await subscribe(c1, ch, { queue: 'g' });
      const m2 = await subscribe(c2, ch, { queue: 'g' });
      const m3 = await subscribe(c2, ch, { queue: 'g' });
      const all = await subscribe(c1, ch, {});
      await publishRange(pub, ch, 1, 30);
      const members = [m1, m2, m3];
      const total = () => members.reduce((n, m) => n + m.got.length, 0);
      await until(() => total() >= 30, '30 messages across the group');
      await publish(pub, ch, 'm31');
      await until(() => total() >= 31, '31 messages across the group');
      await all.waitSeq(31);
      const seqs = members.flatMap((m) => m.seqs()).sort((a, b) => a - b);
      assert.equal(seqs, range(1, 31), 'each message once');
      for (const [i, m] of members.entries()) {
        assert.ok(m.got.length > 0, `member ${i + 1} got some`);
        const s = m.seqs();
        assert.equal(s, [...s].sort((a, b) => a - b), `member ${i + 1} in order`);
        assert.ok(
          m.got.every((x) => !x.redelivered && x.afterReady && x.data === `m${x.seq}`),
          `member ${i + 1} flags`,
        );
      }
      assertFresh(all, range(1, 31), 'plain subscriber');
    }),
  );

  test('a member joining an existing group ignores its start position', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = await seeded(env, pub, 5);
      const c1 = await env.connect('q1');
      const c2 = await env.connect('q2');
      const m1 = await subscribe(c1, ch, { queue: 'g', start: 'new' });
      await publish(pub, ch, 'm6');
      await m1.waitSeq(6);
      const m2 = await subscribe(c2, ch, { queue: 'g', start: 'first' });
      const m3 = await subscribe(c2, ch, { queue: 'g', start: { seq: 2 } });
      await publishRange(pub, ch, 7, 12);
      const members = [m1, m2, m3];
      const total = () => members.reduce((n, m) => n + m.got.length, 0);
      await until(() => total() >= 7, '7 messages across the group');
      await publish(pub, ch, 'm13');
      await until(() => total() >= 8, '8 messages across the group');
      assert.equal(members.flatMap((m) => m.seqs()).sort((a, b) => a - b), range(6, 13));
      for (const m of [m2, m3]) assert.ok(m.seqs().every((s) => s >= 7), `joiner got ${m.seqs()}`);
    }),
  );

  test('a departing member (not the last) hands its unacked messages to the others', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = env.channel();
      const c1 = await env.connect('q1');
      const c2 = await env.connect('q2');
      const m1 = await subscribe(c1, ch, { queue: 'g', manual: true });
      const m2 = await subscribe(c2, ch, { queue: 'g', manual: true });
      await publishRange(pub, ch, 1, 6);
      await until(() => m1.got.length + m2.got.length >= 6, '6 messages');
      const left = m1.seqs();
      assert.ok(left.length > 0, 'member 1 got some');
      m2.ackAll();
      await m1.close();
      await until(() => m2.got.length >= 6, "member 1's messages redelivered to member 2");
      assert.equal(
        m2.got.slice(-left.length).map((m) => [m.seq, m.redelivered]),
        left.map((s) => [s, true]),
      );
      assert.equal(
        m2.seqs().sort((a, b) => a - b),
        range(1, 6),
      );
    }),
  );

  test('durable queue group: the last member closing leaves a shadow the next member resumes', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = await seeded(env, pub, 2);
      const c1 = await env.connect('q1');
      const m1 = await subscribe(c1, ch, { queue: 'g', durable: 'dq', start: 'first', manual: true });
      await m1.waitCount(2);
      m1.ack(1);
      await publishRange(pub, ch, 3, 4);
      await m1.waitCount(4);
      m1.ack(3);
      assertFresh(m1, [1, 2, 3, 4], 'first member');
      await m1.close(); // pending 2, 4 stay with the shadow
      const c = env.f.stan.channels.get(ch)!;
      assert.is(c.subs.size, 1, 'the shadow is kept');
      await publishRange(pub, ch, 5, 6);
      const c2 = await env.connect('q2');
      // A different start position and client: the group's position wins.
      const m2 = await subscribe(c2, ch, { queue: 'g', durable: 'dq', start: 'new', manual: true });
      await m2.waitCount(4);
      assert.equal(m2.flags(), [
        [2, true],
        [4, true],
        [5, false],
        [6, false],
      ]);
      assertAfterReady(m2, 'shadow taken over');
      m2.ackAll();
      // A non-durable group of the same name is another group.
      const plainG = await subscribe(c2, ch, { queue: 'g', start: 'first' });
      await plainG.waitCount(6);
      assertFresh(plainG, range(1, 6), 'non-durable group g');
      await publish(pub, ch, 'm7');
      await m2.waitSeq(7);
      assert.equal(m2.seqs(), [2, 4, 5, 6, 7]);
    }),
  );

  test('durable queue group: connection close of the last member also leaves a shadow', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = await seeded(env, pub, 2);
      const c1 = await env.connect('q1');
      const m1 = await subscribe(c1, ch, { queue: 'g', durable: 'dq', start: 'first', manual: true });
      await m1.waitCount(2);
      m1.ack(1);
      await closeClient(c1);
      await publish(pub, ch, 'm3');
      const c2 = await env.connect('q1'); // same client ID, restarted
      const m2 = await subscribe(c2, ch, { queue: 'g', durable: 'dq', start: 'first', manual: true });
      await m2.waitCount(2);
      assert.equal(m2.flags(), [
        [2, true],
        [3, false],
      ]);
      assertAfterReady(m2, 'shadow taken over');
    }),
  );

  test('durable queue group: the last member unsubscribing deletes the group', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = await seeded(env, pub, 3);
      const c1 = await env.connect('q1');
      const m1 = await subscribe(c1, ch, { queue: 'g', durable: 'dq', start: 'first', manual: true });
      await m1.waitCount(3);
      m1.ack(1); // 2 and 3 unacked
      await m1.unsubscribe();
      const c = env.f.stan.channels.get(ch)!;
      assert.is(c.subs.size, 0, 'nothing kept');
      await publish(pub, ch, 'm4');
      const m2 = await subscribe(c1, ch, { queue: 'g', durable: 'dq', start: 'first' });
      await m2.waitCount(4);
      assertFresh(m2, [1, 2, 3, 4], 'a new group from its start position');
      await m2.unsubscribe();
      const m3 = await subscribe(c1, ch, { queue: 'g', durable: 'dq', start: 'new' });
      await publish(pub, ch, 'm5');
      await m3.waitSeq(5);
      assertFresh(m3, [5], 'a new group, NewOnly');
    }),
  );

  test('a non-durable group is deleted when its last member leaves (unsubscribe, close, connection close)', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const ch = await seeded(env, pub, 3);
      const ways: [string, (sc: any, s: Sub) => Promise<unknown>][] = [
        ['unsubscribe', (_sc, s) => s.unsubscribe()],
        ['close', (_sc, s) => s.close()],
        ['connection close', (sc) => closeClient(sc)],
      ];
      for (const [i, [how, leave]] of ways.entries()) {
        const sc = await env.connect(`ng${i}`);
        const m1 = await subscribe(sc, ch, { queue: `g${i}`, start: 'first', manual: true });
        await m1.waitCount(3);
        m1.ack(1);
        await leave(sc, m1);
        const c2 = await env.connect(`ng${i}b`);
        const m2 = await subscribe(c2, ch, { queue: `g${i}`, start: 'first' });
        await m2.waitCount(3);
        assertFresh(m2, [1, 2, 3], `group re-created after ${how}`);
      }
    }),
  );

  test.run();
}

// ---------------------------------------------------------------------------

function responseFirst(v: Variant): void {
  const test = suite(`subscribe/response-before-messages [${v.name}]`);

  test('the SubscriptionResponse precedes the first message (2000 stored, no redelivery wait)', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const N = 2000;
      const ch = env.channel();
      await publishRange(pub, ch, 1, N);
      const scs = [await env.connect('r1'), await env.connect('r2')];
      const subs = await Promise.all([
        subscribe(scs[0], ch, { start: 'first' }),
        subscribe(scs[1], ch, { start: 'first' }),
        subscribe(scs[0], ch, { start: { seq: 1 } }),
        subscribe(scs[1], ch, { start: 'first', queue: 'q' }),
        subscribe(scs[0], ch, { start: 'first', durable: 'd', manual: true }),
      ]);
      for (const [i, s] of subs.entries()) {
        await s.waitCount(N, `${N} messages on subscription ${i}`);
        assertFresh(s, range(1, N), `subscription ${i}`);
      }
      // A resumed durable's redeliveries too come after its response.
      const d = subs[4]!;
      await d.close();
      const d2 = await subscribe(scs[0], ch, { durable: 'd', manual: true });
      await d2.waitCount(N, `${N} redeliveries`);
      assert.equal(d2.seqs(), range(1, N));
      assert.ok(d2.got.every((m) => m.redelivered && m.count === 1));
      assertAfterReady(d2, 'resumed durable');
    }),
  );

  test.run();
}

// ---------------------------------------------------------------------------

function unsubscribeRequests(v: Variant): void {
  const test = suite(`subscribe/unsubscribe-requests [${v.name}]`);

  test('unsubscribe and subscription-close errors (both subjects)', () =>
    withEnv(v, {}, async (env) => {
      const pub = await env.connect('pub');
      const owner = await env.connect('owner');
      await env.connect('other');
      const ch = env.channel();
      const s = await subscribe(owner, ch, {});
      const ackInbox: string = s.sub.ackInbox;
      assert.match(ackInbox, /^_INBOX\./);
      const raw = await env.raw();
      for (const close of [false, true]) {
        const what = close ? 'subclose' : 'unsub';
        const cases: [string, pb.Init<pb.UnsubscribeRequest>, string][] = [
          ['unknown channel (the Go server: invalid subscription)', { clientID: 'owner', subject: 'no.such', inbox: ackInbox }, E.INVALID_SUB],
          ['unknown inbox', { clientID: 'owner', subject: ch, inbox: '_INBOX.bogus' }, E.INVALID_SUB],
          ['empty inbox', { clientID: 'owner', subject: ch }, E.INVALID_SUB],
          ["another client's subscription", { clientID: 'other', subject: ch, inbox: ackInbox }, E.UNKNOWN_CLIENT],
          ['unregistered client', { clientID: 'nobody', subject: ch, inbox: ackInbox }, E.UNKNOWN_CLIENT],
          ['no client', { subject: ch, inbox: ackInbox }, E.UNKNOWN_CLIENT],
        ];
        for (const [name, req, want] of cases) {
          const r = await raw.unsub(req, close);
          assert.is(r.error, want, `${what}: ${name}`);
        }
        for (const g of GARBAGE) {
          const r = await raw.unsubBytes(g, close);
          assert.is(r.error, E.INVALID_UNSUB_REQ, `${what}: garbage ${g.toString('hex')}`);
        }
      }
      // None of that touched the subscription.
      await publish(pub, ch, 'm1');
      await s.waitSeq(1);
      assertFresh(s, [1], 'still subscribed');
      // Lookup falls back to the delivery inbox; success is an empty response.
      const r = await raw.unsub({ clientID: 'owner', subject: ch, inbox: s.sub.inbox }, true);
      assert.is(r.error, '');
      assert.is(raw.lastReply.length, 0, 'success is a zero-length SubscriptionResponse');
      const again = await raw.unsub({ clientID: 'owner', subject: ch, inbox: ackInbox }, false);
      assert.is(again.error, E.INVALID_SUB, 'gone after the close');
      assert.is(env.f.stan.channels.get(ch)!.subs.size, 0);
    }),
  );

  test('node client: unsubscribe and close succeed once; the server forgets the subscription', () =>
    withEnv(v, {}, async (env) => {
      const sc = await env.connect('c1');
      const ch = env.channel();
      const a = await subscribe(sc, ch, {});
      const b = await subscribe(sc, ch, { durable: 'd' });
      const c = env.f.stan.channels.get(ch)!;
      assert.is(c.subs.size, 2);
      await a.unsubscribe();
      await b.unsubscribe();
      assert.is(c.subs.size, 0);
      const raw = await env.raw();
      const r = await raw.unsub({ clientID: 'c1', subject: ch, inbox: a.sub.ackInbox }, false);
      assert.is(r.error, E.INVALID_SUB);
    }),
  );

  test('publish N then close the connection at once: all N stored and acked before the close (raw)', () =>
    withEnv(v, {}, async (env) => {
      const raw = await env.raw();
      const cr = await raw.register('rp');
      const ch = env.channel();
      const N = 500;
      const events: string[] = [];
      const acks = createInbox();
      const closeInbox = createInbox();
      raw.listen(acks, (d) => {
        const a = pb.PubAck.decode(d);
        events.push(`ack:${a.guid}${a.error ? `:${a.error}` : ''}`);
      });
      raw.listen(closeInbox, (d) => events.push(`close:${pb.CloseResponse.decode(d).error}`));
      await raw.nc.flush();
      for (let i = 1; i <= N; i++) raw.nc.publish(`${cr.resp.pubPrefix}.${ch}`, cr.pubMsg(ch, `m${i}`, { guid: `g${i}` }), { reply: acks });
      raw.nc.publish(cr.resp.closeRequests, pb.CloseRequest.encode({ clientID: 'rp' }), { reply: closeInbox });
      await until(() => events.some((e) => e.startsWith('close:')), 'the CloseResponse');
      assert.equal(events, [...range(1, N).map((i) => `ack:g${i}`), 'close:']);
      const sc = await env.connect('check');
      const s = await subscribe(sc, ch, { start: 'first' });
      await s.waitCount(N);
      assertFresh(s, range(1, N), 'stored');
    }),
  );

  test('publish N then close at once (node client): all N are stored', () =>
    withEnv(v, {}, async (env) => {
      const sc = await env.connect('np');
      const ch = env.channel();
      const N = 300;
      for (let i = 1; i <= N; i++) sc.publish(ch, `m${i}`, () => {});
      await closeClient(sc);
      const check = await env.connect('check');
      const s = await subscribe(check, ch, { start: 'first' });
      await s.waitCount(N);
      await publish(check, ch, `m${N + 1}`);
      await s.waitSeq(N + 1);
      assertFresh(s, range(1, N + 1), 'stored');
    }),
  );

  test('publish N then unsubscribe at once (raw): every delivery precedes the response', () =>
    withEnv(v, {}, async (env) => {
      const raw = await env.raw();
      const cr = await raw.register('ru');
      const ch = env.channel();
      const N = 300;
      const events: string[] = [];
      const inbox = createInbox();
      const unsubInbox = createInbox();
      raw.listen(inbox, (d) => events.push(`msg:${pb.MsgProto.decode(d).sequence}`));
      raw.listen(unsubInbox, (d) => events.push(`unsub:${pb.SubscriptionResponse.decode(d).error}`));
      const sr = await raw.subscribe({ clientID: 'ru', subject: ch, inbox, maxInFlight: 10_000, ackWaitInSecs: 30 });
      assert.is(sr.error, '');
      for (let i = 1; i <= N; i++) raw.nc.publish(`${cr.resp.pubPrefix}.${ch}`, cr.pubMsg(ch, `m${i}`, { guid: `g${i}` }));
      raw.nc.publish(cr.resp.unsubRequests, pb.UnsubscribeRequest.encode({ clientID: 'ru', subject: ch, inbox: sr.ackInbox }), {
        reply: unsubInbox,
      });
      await until(() => events.some((e) => e.startsWith('unsub:')), 'the unsubscribe response');
      assert.equal(events, [...range(1, N).map((i) => `msg:${i}`), 'unsub:']);
    }),
  );

  test.run();
}

for (const v of variants('streaming/subscribe')) {
  startPositions(v);
  validation(v);
  durables(v);
  queues(v);
  responseFirst(v);
  unsubscribeRequests(v);
}
