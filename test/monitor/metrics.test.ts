// /metrics (issue 7): Prometheus text from prom-client with the servers'
// figures at scrape time: connections, messages and bytes in and out,
// per-channel counts, bytes and sequences, per-subscription pending and
// redelivery counts, the store latency histograms and event-loop lag.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { observeStoreFsync, observeStoreWrite } from '../../src/stores/latency.js';
import { until } from '../helpers/stan.js';
import { knownState, type Known } from './fixture.js';

let k: Known;
const test = suite('monitor/metrics');

test.before(async () => {
  k = await knownState();
});
test.after(async () => {
  await k.dispose();
});

/** The value of one sample line (`name{labels} value`). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no ${series} in /metrics`);
  return Number(line!.slice(series.length + 1));
}

test('exposition format and content type', async () => {
  const r = await k.get('/metrics');
  assert.is(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.match(r.body, /^# HELP nats_connections Open client connections\n# TYPE nats_connections gauge\n/m);
  assert.match(r.body, /^# TYPE stan_in_msgs_total counter$/m);
});

test('server totals', async () => {
  const t = (await k.get('/metrics')).body;
  const s = k.f.stan;
  assert.is(sample(t, 'nats_connections'), 2);
  assert.is(sample(t, 'nats_connections_total'), 2);
  assert.is(sample(t, 'stan_clients'), 2);
  assert.is(sample(t, 'stan_channels'), 3);
  assert.is(sample(t, 'stan_subscriptions'), 6);
  assert.is(sample(t, 'stan_store_msgs'), 9);
  assert.is(sample(t, 'stan_in_msgs_total'), 9);
  assert.is(sample(t, 'stan_out_msgs_total'), 15);
  assert.is(sample(t, 'stan_out_bytes_total'), s.delivery.outBytes);
  assert.ok(sample(t, 'nats_in_msgs_total') >= 9);
  assert.ok(sample(t, 'nats_out_bytes_total') > 0);
});

test('per channel', async () => {
  const t = (await k.get('/metrics')).body;
  const foo = k.f.stan.channels.get('foo')!.msgs.state();
  assert.is(sample(t, 'stan_channel_msgs{channel="foo"}'), 3);
  assert.is(sample(t, 'stan_channel_bytes{channel="foo"}'), foo.bytes);
  assert.is(sample(t, 'stan_channel_last_seq{channel="baz"}'), 4);
  assert.is(sample(t, 'stan_channel_first_seq{channel="bar"}'), 1);
  assert.is(sample(t, 'stan_channel_in_msgs_total{channel="bar"}'), 2);
  assert.is(sample(t, 'stan_channel_subscriptions{channel="baz"}'), 3);
});

test('per subscription: pending, stalled, redeliveries', async () => {
  const labels = 'channel="foo",client_id="alice",sub_id="2",durable="dur",queue=""';
  let t = (await k.get('/metrics')).body;
  assert.is(sample(t, `stan_subscription_pending{${labels}}`), 2);
  assert.is(sample(t, `stan_subscription_stalled{${labels}}`), 1);
  assert.is(sample(t, `stan_subscription_last_sent{${labels}}`), 2);
  assert.is(sample(t, `stan_subscription_redelivered_total{${labels}}`), 0);
  assert.is(sample(t, 'stan_subscription_pending{channel="baz",client_id="bob",sub_id="3",durable="",queue="dq:grp"}'), 0);
  // Force a redelivery of the durable's two pending messages: close and resume it.
  const sub = [...k.f.stan.channels.get('foo')!.subs].find((s) => s.state.durableName === 'dur')!;
  k.f.stan.delivery.redeliverAllPending(sub);
  await until(() => sub.redelivered === 2, 'the redeliveries');
  t = (await k.get('/metrics')).body;
  assert.is(sample(t, `stan_subscription_redelivered_total{${labels}}`), 2);
});

test('store latency histograms, core info, event-loop lag', async () => {
  observeStoreWrite(0.0003);
  observeStoreFsync(0.004);
  observeStoreFsync(0.5);
  const t = (await k.get('/metrics')).body;
  assert.is(sample(t, 'stan_store_write_seconds_count'), 1);
  assert.is(sample(t, 'stan_store_fsync_seconds_count'), 2);
  assert.is(sample(t, 'stan_store_fsync_seconds_bucket{le="0.00512"}'), 1);
  assert.is(sample(t, 'stan_store_fsync_seconds_bucket{le="+Inf"}'), 2);
  assert.match(t, /^stan_core_info\{core="(native|wasm)"\} 1$/m);
  assert.match(t, /^nodejs_eventloop_lag_seconds \d/m);
  assert.match(t, /^nodejs_eventloop_lag_p99_seconds \d/m);
});

test.run();
