// What a reload changes, as data (src/config/changes.ts): each difference is
// a change a server can take or a refusal naming the key and both values,
// in the order a reload reports them. Applying them is tested end to end in
// test/cli/reload.test.ts.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFlags } from '../../src/cli/flags.js';
import { cannotChange, type ConfigSnapshot, describeChanges, describeLimits } from '../../src/config/changes.js';
import { parseConfig } from '../../src/config/index.js';
import { type StanConfig, stanOptionsFromConfig } from '../../src/config/stan-options.js';
import { DEFAULT_STORE_LIMITS, type StoreLimits } from '../../src/stores/store.js';

const changes = suite('config/changes');

function stan(text: string): StanConfig {
  return stanOptionsFromConfig(parseConfig(text, { file: 's.conf' }), 's.conf');
}

function snapshot(nats: object, log: object, stanText = '', extra: object = {}): ConfigSnapshot {
  return { built: { nats, log, ...extra }, natsSources: { port: '"port" (c.conf:1:1)' }, stan: stan(stanText) };
}

const limits = (maxMsgs: number, perChannel: [string, object][] = []): StoreLimits =>
  ({ ...DEFAULT_STORE_LIMITS, maxMsgs, perChannel: new Map(perChannel) });
const same = { inForce: limits(10), next: limits(10) };

changes('nothing changed: no changes', () => {
  const s = snapshot({ port: 4222 }, { debug: false }, 'cluster_id: a');
  assert.equal(describeChanges(s, s, parseFlags([]), same), []);
});

changes('the authorization, the log levels and the store limits are changes; the rest are refusals, in report order', () => {
  const cur = snapshot({ port: 4222, auth: { user: 'a' } }, { debug: false, logFile: 'a.log' }, 'cluster_id: a', { pidFile: 'a.pid' });
  const next = snapshot({ port: 4333, auth: { user: 'b' } }, { debug: true, logFile: 'b.log' }, 'cluster_id: b', { pidFile: 'b.pid' });
  const got = describeChanges(cur, next, parseFlags([]), { inForce: limits(10), next: limits(5) });
  assert.equal(got, [
    { kind: 'refused', text: 'config key "port" (c.conf:1:1) cannot be changed at runtime (4222 -> 4333); keeping 4222' },
    { kind: 'auth', from: { user: 'a' }, to: { user: 'b' } },
    { kind: 'refused', text: 'pidFile settings cannot be changed at runtime ("a.pid" -> "b.pid"); keeping "a.pid"' },
    { kind: 'refused', text: 'log option logFile cannot be changed at runtime ("a.log" -> "b.log"); keeping "a.log"' },
    { kind: 'logLevels', changes: [{ key: 'debug', from: false, to: true }] },
    { kind: 'refused', text: 'config key "cluster_id" (s.conf:1:1) cannot be changed at runtime ("a" -> "b"); keeping "a"' },
    { kind: 'storeLimits', limits: limits(5), lines: ['store limits max_msgs: 10 -> 5'] },
  ]);
});

changes('the command line still wins: an option it sets does not change with the file', () => {
  const cur = snapshot({}, {}, 'cluster_id: a\nhb_interval: "10s"');
  const next = snapshot({}, {}, 'cluster_id: b\nhb_interval: "1m30s"');
  assert.equal(describeChanges(cur, next, parseFlags(['-cid', 'x']), same), [
    { kind: 'refused', text: 'config key "hb_interval" (s.conf:2:1) cannot be changed at runtime ("10s" -> "1m30s"); keeping "10s"' },
  ]);
});

changes('the encryption key is never shown, only named (issue #17)', () => {
  const cur = snapshot({}, {}, 'encryption_key: "old secret"');
  const next = snapshot({}, {}, 'encryption_key: "new secret"');
  assert.equal(describeChanges(cur, next, parseFlags([]), same), [
    { kind: 'refused', text: 'config key "encryption_key" (s.conf:1:1) cannot be changed at runtime ("(hidden)" -> "(hidden)"); keeping "(hidden)"' },
  ]);
});

changes('describeLimits: each global and per-channel difference', () => {
  assert.equal(describeLimits(limits(10, [['foo', { maxMsgs: 3 }], ['bar', {}]]), limits(0, [['foo', { maxAgeMs: 1500 }], ['baz', { maxMsgs: 1 }]])), [
    'max_msgs: 10 -> unlimited',
    'channel "bar": removed',
    'channel "baz": added',
    'channel "baz" max_msgs: inherited -> 1',
    'channel "foo" max_msgs: 3 -> inherited',
    'channel "foo" max_age: inherited -> 1.5s',
  ]);
});

changes('cannotChange shows primitives, hides settings and names the default', () => {
  assert.is(cannotChange('x', undefined, { secret: 1 }), 'x cannot be changed at runtime (the default -> (settings)); keeping the default');
});

changes.run();
