// Store limits (STAN-REFERENCE §7.3): inheritance and validation texts.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { effectiveLimits, validateLimits } from '../../src/stores/limits.js';
import { DEFAULT_STORE_LIMITS, StoreError, type ChannelLimits, type StoreLimits } from '../../src/stores/store.js';

const GB = 1024 ** 3;
const HOUR_MS = 3_600_000;

type PerChannel = [string, Partial<ChannelLimits>][];

function storeLimits(over: Partial<Omit<StoreLimits, 'perChannel'>> = {}, perChannel: PerChannel = []): StoreLimits {
  return { ...DEFAULT_STORE_LIMITS, ...over, perChannel: new Map(perChannel) };
}

/** Channel limits: the defaults but for `over`. */
function channelLimits(over: Partial<ChannelLimits>): ChannelLimits {
  return {
    maxSubscriptions: 1000,
    maxMsgs: 1_000_000,
    maxBytes: DEFAULT_STORE_LIMITS.maxBytes,
    maxAgeMs: 0,
    maxInactivityMs: 0,
    ...over,
  };
}

/** §7.3's example: max_channels 0, max_msgs 0, max_bytes 10GB, max_age 72h. */
const EXAMPLE = storeLimits({ maxChannels: 0, maxMsgs: 0, maxBytes: 10 * GB, maxAgeMs: 72 * HOUR_MS }, [
  ['orders.>', { maxMsgs: 1_000_000 }],
  ['orders.audit', { maxAgeMs: 0 }],
]);

// ---------- inheritance ----------

const inherit = suite('stores/limits effectiveLimits');

inherit('the §7.3 example', () => {
  const table: [string, ChannelLimits][] = [
    ['orders.new', channelLimits({ maxMsgs: 1_000_000, maxBytes: 10 * GB, maxAgeMs: 72 * HOUR_MS })],
    ['orders.audit', channelLimits({ maxMsgs: 1_000_000, maxBytes: 10 * GB, maxAgeMs: 0 })],
    ['orders', channelLimits({ maxMsgs: 0, maxBytes: 10 * GB, maxAgeMs: 72 * HOUR_MS })],
    ['billing.x', channelLimits({ maxMsgs: 0, maxBytes: 10 * GB, maxAgeMs: 72 * HOUR_MS })],
  ];
  for (const [channel, want] of table) assert.equal(effectiveLimits(EXAMPLE, channel), want, channel);
});

inherit('no per-channel entries: the globals', () => {
  const l = storeLimits({ maxMsgs: 7 });
  assert.equal(effectiveLimits(l, 'foo'), {
    maxSubscriptions: 1000,
    maxMsgs: 7,
    maxBytes: DEFAULT_STORE_LIMITS.maxBytes,
    maxAgeMs: 0,
    maxInactivityMs: 0,
  });
});

inherit('each field comes from the nearest entry that sets it', () => {
  const l = storeLimits({}, [
    ['foo.bar', { maxSubscriptions: 5 }],
    ['>', { maxMsgs: 10 }],
    ['foo.*', { maxAgeMs: 1000 }],
    ['foo.>', { maxBytes: 100, maxMsgs: 20 }],
  ]);
  const fooBar = channelLimits({ maxSubscriptions: 5, maxMsgs: 20, maxBytes: 100, maxAgeMs: 1000 });
  assert.equal(effectiveLimits(l, 'foo.bar'), fooBar);
  assert.equal(effectiveLimits(l, 'foo.baz'), channelLimits({ maxMsgs: 20, maxBytes: 100, maxAgeMs: 1000 }));
  assert.equal(effectiveLimits(l, 'foo.baz.x'), channelLimits({ maxMsgs: 20, maxBytes: 100 }));
  assert.equal(effectiveLimits(l, 'bar').maxMsgs, 10);
  assert.equal(effectiveLimits(l, 'bar').maxBytes, DEFAULT_STORE_LIMITS.maxBytes);
});

inherit('a literal entry wins over every pattern', () => {
  const l = storeLimits({}, [
    ['foo.bar', { maxMsgs: 1 }],
    ['foo.*', { maxMsgs: 2 }],
    ['*.bar', { maxMsgs: 3 }],
  ]);
  assert.is(effectiveLimits(l, 'foo.bar').maxMsgs, 1);
  assert.is(effectiveLimits(l, 'foo.baz').maxMsgs, 2);
  assert.is(effectiveLimits(l, 'x.bar').maxMsgs, 3);
});

inherit('between overlapping patterns, the Go match order decides', () => {
  // `*.bar` and `foo.>` both match foo.bar and neither covers the other:
  // at the first token, `*` is wider than `foo`, so foo.> is the narrowest
  // and nothing is inherited from *.bar.
  const l = storeLimits({}, [
    ['*.bar', { maxMsgs: 3, maxAgeMs: 5 }],
    ['foo.>', { maxBytes: 9 }],
  ]);
  assert.equal(effectiveLimits(l, 'foo.bar'), {
    maxSubscriptions: 1000,
    maxMsgs: 1_000_000,
    maxBytes: 9,
    maxAgeMs: 0,
    maxInactivityMs: 0,
  });
});

inherit('an explicit 0 or a negative value is unlimited, not inherited', () => {
  const l = storeLimits({ maxMsgs: 50, maxInactivityMs: 60_000 }, [
    ['a.>', { maxMsgs: 0 }],
    ['a.b', { maxInactivityMs: -1 }],
  ]);
  assert.equal(effectiveLimits(l, 'a.b'), channelLimits({ maxMsgs: 0 }));
  assert.is(effectiveLimits(l, 'a.c').maxInactivityMs, 60_000);
});

inherit('an entry with narrower entries below it is resolved too', () => {
  const l = storeLimits({}, [
    ['foo', { maxMsgs: 1 }],
    ['foo.bar', { maxBytes: 2 }],
  ]);
  assert.is(effectiveLimits(l, 'foo').maxMsgs, 1);
  assert.is(effectiveLimits(l, 'foo.bar').maxMsgs, 1_000_000);
});

inherit.run();

// ---------- validation ----------

const validate = suite('stores/limits validateLimits');

function throwsStoreError(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, StoreError);
    assert.is((err as Error).message, message);
    return;
  }
  assert.unreachable(`expected: ${message}`);
}

validate('valid limits pass', () => {
  validateLimits(storeLimits());
  validateLimits(EXAMPLE);
  validateLimits(storeLimits({ maxChannels: 0 }, [['a', {}], ['b', {}], ['c', {}]]));
});

validate('negative globals, with the Go texts', () => {
  const cases: [Partial<StoreLimits>, string][] = [
    [{ maxChannels: -1 }, 'max channels limit cannot be negative (-1)'],
    [{ maxSubscriptions: -2 }, 'max subscriptions limit cannot be negative (-2)'],
    [{ maxMsgs: -3 }, 'max messages limit cannot be negative (-3)'],
    [{ maxBytes: -4 }, 'max bytes limit cannot be negative (-4)'],
    [{ maxAgeMs: -1000 }, 'max age limit cannot be negative (-1s)'],
    [{ maxInactivityMs: -90_000 }, 'max inactivity limit cannot be negative (-1m30s)'],
  ];
  for (const [over, message] of cases) throwsStoreError(() => validateLimits(storeLimits(over)), message);
});

validate('invalid per-channel keys', () => {
  for (const name of ['', '.foo', 'foo.', 'foo..bar', 'foo/bar', 'foo*', 'foo.>.bar', 'a>', '*a', 'foo.b*r']) {
    const message = `invalid channel name ${JSON.stringify(name)}`;
    throwsStoreError(() => validateLimits(storeLimits({}, [[name, {}]])), message);
  }
});

validate('more literal entries than max_channels', () => {
  const l = storeLimits({ maxChannels: 2 }, [['a', {}], ['b.*', {}], ['b', {}], ['>', {}], ['c', {}]]);
  throwsStoreError(() => validateLimits(l), 'too many channels defined (3). The max channels limit is set to 2');
  validateLimits(storeLimits({ maxChannels: 2 }, [['a', {}], ['b.*', {}], ['b', {}], ['>', {}]]));
});

validate.run();
