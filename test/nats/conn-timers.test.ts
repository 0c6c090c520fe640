// The timers of src/nats/conn.ts and client.ts (ping interval, write
// deadline, auth timeout) hold any duration the flags and config accept:
// Node turns a delay past 2^31-1 ms into 1 ms, so -ping_interval of 30 days
// sent a PING every millisecond (and closed the connection as stale).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RawClient, startServer } from '../helpers/nats.js';
import { sleep } from '../helpers/wait.js';
import { warningsDuring } from '../helpers/warnings.js';

const MONTH_MS = 30 * 86_400_000;
/** How long the test watches for what the overflow did within a millisecond. */
const WATCH_MS = 1000;


test('ping_interval and write_deadline of 30 days: no PING, no close, no TimeoutOverflowWarning', async () => {
  const s = await startServer({ pingIntervalMs: MONTH_MS, pingMax: 2, writeDeadlineMs: MONTH_MS });
  let c: RawClient | undefined;
  try {
    const warnings = await warningsDuring(async () => {
      [c] = await RawClient.info(s.port);
      c.send('CONNECT {"verbose":false}\r\n');
      await c.flush();
      await sleep(WATCH_MS);
      await c.flush();
    });
    assert.not.match(c!.unread, /PING/, 'the server sent PING');
    assert.not.ok(c!.closed);
    assert.equal(warnings, []);
  } finally {
    c?.close();
    await s.shutdown();
  }
});

test('an auth timeout of 30 days does not close a connection that has not sent CONNECT', async () => {
  const s = await startServer({ pingIntervalMs: MONTH_MS, auth: { user: 'u', password: 'p', timeoutMs: MONTH_MS } });
  let c: RawClient | undefined;
  try {
    const warnings = await warningsDuring(async () => {
      [c] = await RawClient.info(s.port);
      await sleep(WATCH_MS);
    });
    assert.not.ok(c!.closed, 'closed by the auth timeout');
    assert.is(c!.unread, '');
    assert.equal(warnings, []);
  } finally {
    c?.close();
    await s.shutdown();
  }
});

test.run();
