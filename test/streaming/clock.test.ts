// src/streaming/clock.ts: the real clock's timers hold any delay. Node
// turns a timeout past 2^31-1 ms into 1 ms: an AckWait of 30 days with one
// unacked message was redelivered every millisecond, -hbi 720h sent
// hundreds of heartbeats a second. Here on the real clock (the fake one
// never had the bug): the timer itself, then a server in-process with a
// 30-day AckWait and a 720 h heartbeat interval, with process warnings
// watched for TimeoutOverflowWarning.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realClock } from '../../src/streaming/clock.js';
import { RawSession } from '../helpers/stan-raw.js';
import { sleep, startStan, until } from '../helpers/stan.js';
import { warningsDuring } from '../helpers/warnings.js';

const DAY_MS = 86_400_000;
/** How long the tests watch for what the overflow did within a millisecond. */
const WATCH_MS = 1000;


test('realClock: a 30-day timer does not fire, and clearTimer cancels it', async () => {
  let fired = 0;
  const warnings = await warningsDuring(async () => {
    const t = realClock.setTimer(() => fired++, 30 * DAY_MS);
    await sleep(50);
    realClock.clearTimer(t);
  });
  assert.is(fired, 0);
  assert.equal(warnings, []);
});

test('realClock: a short timer still fires', async () => {
  let fired = 0;
  realClock.setTimer(() => fired++, 1);
  await until(() => fired === 1, 'the timer');
});

test('AckWait of 30 days, one unacked message: delivered once, no redelivery', async () => {
  const f = await startStan();
  let s: RawSession | undefined;
  try {
    let got = 0;
    const warnings = await warningsDuring(async () => {
      s = await RawSession.connect(f.url, 'long-ackwait');
      const sub = await s.subscribe('ch', { ackWaitInSecs: 30 * 86_400, manual: true });
      await s.publish('ch', 'once');
      await until(() => sub.got.length === 1, 'the delivery');
      await sleep(WATCH_MS);
      got = sub.got.length;
    });
    assert.is(got, 1, 'redelivered before its AckWait');
    assert.equal(warnings, []);
  } finally {
    await s?.close();
    await f.stop();
  }
});

test('-hbi 720h: no heartbeat in the first second', async () => {
  const f = await startStan({ stan: { hbIntervalMs: 720 * 3_600_000 } });
  let s: RawSession | undefined;
  try {
    const warnings = await warningsDuring(async () => {
      s = await RawSession.connect(f.url, 'long-hbi');
      await sleep(WATCH_MS);
    });
    // RawSession's heartbeat inbox counts what it was asked.
    const hb = (s as unknown as { hb: { received: number } }).hb;
    assert.is(hb.received, 0, 'heartbeats sent');
    assert.equal(warnings, []);
  } finally {
    await s?.close();
    await f.stop();
  }
});

test.run();
