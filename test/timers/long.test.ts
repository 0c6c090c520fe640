// src/timers/long.ts: timeouts and intervals past Node's 2^31-1 ms. The
// chain is tested with a small injected chunk and an injected wall clock,
// so a "month" passes when the test moves the clock; the real maximum is
// tested for what the overflow broke (a 30-day timer firing at once, with
// a TimeoutOverflowWarning).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_TIMER_MS, clearLongTimer, setLongInterval, setLongTimeout } from '../../src/timers/long.js';
import { sleep, until } from '../helpers/wait.js';
import { warningsDuring } from '../helpers/warnings.js';

const DAY_MS = 86_400_000;

/** A wall clock the test moves, counting how often the timer read it. */
function fakeClock(start = 1_000_000) {
  const c = {
    t: start,
    reads: 0,
    now: () => {
      c.reads++;
      return c.t;
    },
  };
  return c;
}


test('MAX_TIMER_MS is the most Node holds', () => {
  assert.is(MAX_TIMER_MS, 2147483647);
});

test('a timeout within the cap is a plain timer: fires once, never reads the clock', async () => {
  const clock = fakeClock();
  let fired = 0;
  setLongTimeout(() => fired++, 5, { now: clock.now, maxChunkMs: 1000 });
  await until(() => fired === 1, 'the timeout');
  await sleep(20);
  assert.is(fired, 1);
  assert.is(clock.reads, 0);
});

test('a timeout past the chunk re-arms until the wall clock reaches its due time, then fires once', async () => {
  const clock = fakeClock();
  let fired = 0;
  setLongTimeout(() => fired++, 30 * DAY_MS, { now: clock.now, maxChunkMs: 2 });
  await until(() => clock.reads >= 5, 'a few links of the chain');
  assert.is(fired, 0, 'not due yet');
  clock.t += 30 * DAY_MS - 1;
  const reads = clock.reads;
  await until(() => clock.reads >= reads + 3, 'more links');
  assert.is(fired, 0, 'one ms short of due');
  clock.t += 1;
  await until(() => fired === 1, 'the due time');
  const after = clock.reads;
  await sleep(20);
  assert.is(fired, 1, 'fired once');
  assert.is(clock.reads, after, 'the chain ended');
});

test('clear() stops the chain: nothing fires, the clock is no longer read', async () => {
  const clock = fakeClock();
  let fired = 0;
  const t = setLongTimeout(() => fired++, 10 * DAY_MS, { now: clock.now, maxChunkMs: 2 });
  await until(() => clock.reads >= 3, 'a few links');
  t.clear();
  const reads = clock.reads;
  clock.t += 10 * DAY_MS;
  await sleep(20);
  assert.is(fired, 0);
  assert.is(clock.reads, reads);
  clearLongTimer(t);
  clearLongTimer(undefined);
});

test('an interval past the chunk fires once per period, and a clock jump of many periods fires once', async () => {
  const clock = fakeClock();
  let fired = 0;
  const t = setLongInterval(() => fired++, 40 * DAY_MS, { now: clock.now, maxChunkMs: 2 });
  try {
    await until(() => clock.reads >= 3, 'a few links');
    assert.is(fired, 0);
    clock.t += 40 * DAY_MS;
    await until(() => fired === 1, 'the first period');
    let reads = clock.reads;
    await until(() => clock.reads >= reads + 3, 'links of the second period');
    assert.is(fired, 1, 'not twice in one period');
    clock.t += 40 * DAY_MS;
    await until(() => fired === 2, 'the second period');
    clock.t += 10 * 40 * DAY_MS;
    await until(() => fired === 3, 'the jump');
    reads = clock.reads;
    await until(() => clock.reads >= reads + 3, 'links after the jump');
    assert.is(fired, 3, 'no burst of missed periods');
  } finally {
    t.clear();
  }
});

test('an interval within the cap is a plain interval; clear() inside its callback stops it', async () => {
  let fired = 0;
  const t = setLongInterval(() => {
    if (++fired === 3) t.clear();
  }, 2);
  await until(() => fired === 3, 'three periods');
  await sleep(20);
  assert.is(fired, 3);
});

test('a chained interval cleared inside its callback fires no more', async () => {
  const clock = fakeClock();
  let fired = 0;
  const t = setLongInterval(() => {
    fired++;
    t.clear();
  }, 50 * DAY_MS, { now: clock.now, maxChunkMs: 2 });
  clock.t += 50 * DAY_MS;
  await until(() => fired === 1, 'the period');
  clock.t += 500 * DAY_MS;
  await sleep(20);
  assert.is(fired, 1);
});

test('as Node: under 1 ms or NaN is 1 ms', async () => {
  let fired = 0;
  setLongTimeout(() => fired++, 0);
  setLongTimeout(() => fired++, -5);
  setLongTimeout(() => fired++, Number.NaN);
  await until(() => fired === 3, 'all three');
});

test('real timers: 30 days and Infinity do not fire, and no TimeoutOverflowWarning', async () => {
  let fired = 0;
  const warnings = await warningsDuring(async () => {
    const month = setLongTimeout(() => fired++, 30 * DAY_MS, { unref: true });
    const forever = setLongTimeout(() => fired++, Number.POSITIVE_INFINITY, { unref: true });
    const every = setLongInterval(() => fired++, 30 * DAY_MS, { unref: true });
    await sleep(50);
    month.clear();
    forever.clear();
    every.clear();
  });
  assert.is(fired, 0);
  assert.equal(warnings, []);
});

test('real timers: just over the cap is chained, exactly the cap is one Node timer', async () => {
  let fired = 0;
  const warnings = await warningsDuring(async () => {
    const over = setLongTimeout(() => fired++, MAX_TIMER_MS + 1, { unref: true });
    const at = setLongTimeout(() => fired++, MAX_TIMER_MS, { unref: true });
    await sleep(20);
    over.clear();
    at.clear();
  });
  assert.is(fired, 0);
  assert.equal(warnings, []);
});

test.run();
