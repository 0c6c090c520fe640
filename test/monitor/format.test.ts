// Go's formats in the monitoring JSON (src/monitor/format.ts) and the
// query parameter rules (src/monitor/query.ts).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { goNanos, goTime, goUptime } from '../../src/monitor/format.js';
import { boolParam, enumParam, intParam, page, pageBounds, QueryError, uintParam } from '../../src/monitor/query.js';

const format = suite('monitor/format');

format('goUptime: nats-server myUptime forms', () => {
  assert.is(goUptime(0), '0s');
  assert.is(goUptime(17_999), '17s');
  assert.is(goUptime((3 * 60 + 5) * 1000), '3m5s');
  assert.is(goUptime(((2 * 60 + 3) * 60 + 5) * 1000), '2h3m5s');
  assert.is(goUptime((((4 * 24 + 2) * 60 + 3) * 60 + 5) * 1000), '4d2h3m5s');
  assert.is(goUptime(((((365 + 4) * 24 + 2) * 60 + 3) * 60 + 5) * 1000), '1y4d2h3m5s');
  assert.is(goUptime(-5), '0s');
});

format('goTime: RFC 3339, fraction trimmed, Z or the local offset', () => {
  const t = Date.UTC(2020, 1, 11, 23, 17, 33, 100);
  assert.is(goTime(t, true), '2020-02-11T23:17:33.1Z');
  assert.is(goTime(Date.UTC(2020, 1, 11, 23, 17, 33), true), '2020-02-11T23:17:33Z');
  assert.is(goTime(Date.UTC(2020, 1, 11, 23, 17, 33, 123), true), '2020-02-11T23:17:33.123Z');
  const local = goTime(t);
  assert.match(local, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.1(Z|[+-]\d\d:\d\d)$/);
  assert.is(Date.parse(local), t);
});

format('goNanos: ms to integer ns', () => {
  assert.is(goNanos(1500), 1_500_000_000);
  assert.is(goNanos(0), 0);
});

const query = suite('monitor/query');

query('integers: Go Atoi forms, absent or empty gives the default, anything else a QueryError', () => {
  assert.is(intParam({ n: '42' }, 'n'), 42);
  assert.is(intParam({ n: '-3' }, 'n'), -3);
  assert.is(intParam({ n: '+3' }, 'n'), 3);
  assert.is(intParam({}, 'n', 7), 7);
  assert.is(intParam({ n: '' }, 'n', 7), 7);
  assert.is(intParam({ n: ['5', '6'] }, 'n'), 5);
  for (const bad of ['x', '1.5', '1e3', ' 1', '0x10', '99999999999999999999']) {
    assert.throws(() => intParam({ n: bad }, 'n'), (e: unknown) => e instanceof QueryError && e.statusCode === 400, bad);
  }
  assert.throws(() => uintParam({ n: '-1' }, 'n'), /expected a non-negative integer/);
});

query('booleans: strconv.ParseBool spellings', () => {
  for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.is(boolParam({ b: t }, 'b'), true, t);
  for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.is(boolParam({ b: f }, 'b'), false, f);
  assert.is(boolParam({}, 'b'), false);
  assert.throws(() => boolParam({ b: 'yes' }, 'b'), /"b": expected a boolean/);
});

query('enums are case-insensitive', () => {
  assert.is(enumParam({ s: 'Closed' }, 's', ['open', 'closed'] as const), 'closed');
  assert.is(enumParam({}, 's', ['open'] as const), undefined);
  assert.throws(() => enumParam({ s: 'x' }, 's', ['open'] as const), /expected one of open/);
});

query('pages clamp like the Go servers', () => {
  assert.equal(page({ offset: '-4', limit: '0' }, 1024), { offset: 0, limit: 1024 });
  assert.equal(page({ offset: '2', limit: '3' }, 1024), { offset: 2, limit: 3 });
  assert.equal(pageBounds(5, 10, 3), [3, 3]);
  assert.equal(pageBounds(1, 10, 3), [1, 3]);
});

format.run();
query.run();
