// The "Store Limits" table logged at startup (STAN-REFERENCE §7.3), as the Go server prints it.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatLimitsBanner } from '../../src/streaming/limits-banner.js';
import { DEFAULT_STORE_LIMITS, type ChannelLimits, type StoreLimits } from '../../src/stores/store.js';

const GB = 1024 ** 3;
const HOUR_MS = 3_600_000;

function storeLimits(over: Partial<Omit<StoreLimits, 'perChannel'>> = {}, perChannel: [string, Partial<ChannelLimits>][] = []): StoreLimits {
  return { ...DEFAULT_STORE_LIMITS, ...over, perChannel: new Map(perChannel) };
}

/** §7.3's example: max_channels 0, max_msgs 0, max_bytes 10GB, max_age 72h. */
const EXAMPLE = storeLimits({ maxChannels: 0, maxMsgs: 0, maxBytes: 10 * GB, maxAgeMs: 72 * HOUR_MS }, [
  ['orders.>', { maxMsgs: 1_000_000 }],
  ['orders.audit', { maxAgeMs: 0 }],
]);

const banner = suite('streaming/limits-banner');

banner('the defaults, all marked *', () => {
  assert.equal(formatLimitsBanner(storeLimits()), [
    '---------- Store Limits ----------',
    'Channels:                  100 *',
    '--------- Channels Limits --------',
    '  Subscriptions:          1000 *',
    '  Messages     :       1000000 *',
    '  Bytes        :     976.56 MB *',
    '  Age          :     unlimited *',
    '  Inactivity   :     unlimited *',
    '----------------------------------',
  ]);
});

banner('the §7.3 example: per-channel lines show only what differs from the parent', () => {
  assert.equal(formatLimitsBanner(EXAMPLE), [
    '---------- Store Limits ----------',
    'Channels:            unlimited',
    '--------- Channels Limits --------',
    '  Subscriptions:          1000 *',
    '  Messages     :     unlimited',
    '  Bytes        :      10.00 GB',
    '  Age          :       72h0m0s',
    '  Inactivity   :     unlimited *',
    '-------- List of Channels --------',
    'orders.>',
    ' |-> Messages              1000000',
    ' orders.audit',
    '  |-> Age                unlimited',
    '----------------------------------',
  ]);
});

banner('deeper trees widen the table', () => {
  const l = storeLimits({}, [
    ['a.b.c.verylongchannelname', { maxSubscriptions: 3, maxInactivityMs: 1500 }],
    ['a.>', { maxBytes: 512 }],
    ['a.b.>', { maxAgeMs: 250 }],
  ]);
  const lines = formatLimitsBanner(l);
  assert.equal(lines.slice(8), [
    '--------- List of Channels ---------',
    'a.>',
    ' |-> Bytes                     512 B',
    ' a.b.>',
    '  |-> Age                      250ms',
    '  a.b.c.verylongchannelname',
    '   |-> Subscriptions               3',
    '   |-> Inactivity               1.5s',
    '------------------------------------',
  ]);
});

banner.run();
