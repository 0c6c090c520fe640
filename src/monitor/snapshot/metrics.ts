// /metrics in the Prometheus text format, through prom-client: gauges and
// counters that read the servers when scraped (connections, messages and
// bytes in and out, per-channel counts, bytes and sequences,
// per-subscription pending and redelivery counts), the store latency
// histograms (store-latency.ts), and prom-client's process and Node.js
// metrics (event-loop lag among them). Counters are set from the servers'
// own running totals at each scrape.

import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Channel, StanSub } from '../../streaming/model.js';
import type { MonitorContext } from '../context.js';
import { storeFsyncSeconds, storeWriteSeconds } from '../store-latency.js';
import { stanTraffic, storeTotals } from './serverz.js';
import { channelSubs } from './subscriptionz.js';

const CHANNEL = ['channel'] as const;
const SUB = ['channel', 'client_id', 'sub_id', 'durable', 'queue'] as const;

/** A counter whose value is read from the servers at scrape time. */
function total(r: Registry, name: string, help: string, read: () => number | undefined): void {
  new Counter({
    name,
    help,
    registers: [r],
    collect() {
      this.reset();
      const v = read();
      if (v !== undefined) this.inc(v);
    },
  });
}

function gauge(r: Registry, name: string, help: string, read: () => number | undefined): void {
  new Gauge({
    name,
    help,
    registers: [r],
    collect() {
      this.reset();
      const v = read();
      if (v !== undefined) this.set(v);
    },
  });
}

function natsMetrics(r: Registry, ctx: MonitorContext): void {
  const nats = () => ctx.sources.nats;
  const sum = (f: (c: { inMsgs: number; outMsgs: number; inBytes: number; outBytes: number }) => number, closed: number) => {
    let n = closed;
    for (const c of nats()!.clients.values()) n += f(c);
    return n;
  };
  gauge(r, 'nats_connections', 'Open client connections', () => nats()?.clients.size);
  total(r, 'nats_connections_total', 'Client connections accepted since startup', () => nats()?.totalConnections);
  gauge(r, 'nats_subscriptions', 'Subscriptions in the subject trie', () => nats()?.router.size);
  total(r, 'nats_slow_consumers_total', 'Connections dropped as slow consumers', () => nats()?.slowConsumers);
  total(r, 'nats_in_msgs_total', 'Messages received from client connections', () => nats() && sum((c) => c.inMsgs, nats()!.closedInMsgs));
  total(r, 'nats_out_msgs_total', 'Messages sent to client connections', () => nats() && sum((c) => c.outMsgs, nats()!.closedOutMsgs));
  total(r, 'nats_in_bytes_total', 'Payload bytes received from client connections', () => nats() && sum((c) => c.inBytes, nats()!.closedInBytes));
  total(r, 'nats_out_bytes_total', 'Payload bytes sent to client connections', () => nats() && sum((c) => c.outBytes, nats()!.closedOutBytes));
}

function stanMetrics(r: Registry, ctx: MonitorContext): void {
  const stan = () => ctx.sources.stan;
  const traffic = () => (stan() ? stanTraffic(stan()!) : undefined);
  gauge(r, 'stan_clients', 'Registered streaming clients', () => stan()?.clients.size);
  gauge(r, 'stan_channels', 'Channels', () => stan()?.channels.size);
  gauge(r, 'stan_subscriptions', 'Subscriptions, offline durables and queue shadows included', () => {
    const s = stan();
    if (!s) return undefined;
    let n = 0;
    for (const c of s.channels.values()) n += c.subs.size;
    return n;
  });
  gauge(r, 'stan_store_msgs', 'Messages held by the store', () => stan() && storeTotals(stan()!).msgs);
  gauge(r, 'stan_store_bytes', 'Bytes held by the store', () => stan() && storeTotals(stan()!).bytes);
  total(r, 'stan_in_msgs_total', 'Messages published', () => traffic()?.inMsgs);
  total(r, 'stan_in_bytes_total', 'Bytes of the published messages as received', () => traffic()?.inBytes);
  total(r, 'stan_out_msgs_total', 'Messages delivered, redeliveries included', () => traffic()?.outMsgs);
  total(r, 'stan_out_bytes_total', 'Bytes of the delivered MsgProtos', () => traffic()?.outBytes);
}

function channelMetrics(r: Registry, ctx: MonitorContext): void {
  const channels = (): Iterable<Channel> => ctx.sources.stan?.channels.values() ?? [];
  const perChannel = (name: string, help: string, read: (c: Channel) => number) =>
    new Gauge({
      name,
      help,
      labelNames: CHANNEL,
      registers: [r],
      collect() {
        this.reset();
        for (const c of channels()) this.set({ channel: c.name }, read(c));
      },
    });
  const perChannelTotal = (name: string, help: string, read: (c: Channel) => number) =>
    new Counter({
      name,
      help,
      labelNames: CHANNEL,
      registers: [r],
      collect() {
        this.reset();
        for (const c of channels()) this.inc({ channel: c.name }, read(c));
      },
    });
  perChannel('stan_channel_msgs', 'Messages stored in the channel', (c) => c.msgs.state().msgs);
  perChannel('stan_channel_bytes', 'Bytes stored in the channel', (c) => c.msgs.state().bytes);
  perChannel('stan_channel_first_seq', 'First sequence stored in the channel', (c) => c.msgs.firstSeq);
  perChannel('stan_channel_last_seq', 'Last sequence stored in the channel', (c) => c.msgs.lastSeq);
  perChannel('stan_channel_subscriptions', 'Subscriptions of the channel', (c) => c.subs.size);
  perChannelTotal('stan_channel_in_msgs_total', 'Messages published to the channel since startup', (c) => c.inMsgs);
  perChannelTotal('stan_channel_in_bytes_total', 'Bytes published to the channel since startup', (c) => c.inBytes);
}

function subscriptionMetrics(r: Registry, ctx: MonitorContext): void {
  type SubLabels = (typeof SUB)[number];
  const each = (visit: (labels: Record<SubLabels, string>, sub: StanSub) => void) => {
    const s = ctx.sources.stan;
    if (!s) return;
    for (const c of s.channels.values()) {
      for (const sub of channelSubs(c)) {
        const st = sub.state;
        visit(
          { channel: c.name, client_id: st.clientId || sub.lastClientId, sub_id: String(st.id), durable: st.durableName, queue: st.qGroup },
          sub,
        );
      }
    }
  };
  new Gauge({
    name: 'stan_subscription_pending',
    help: 'Messages sent to the subscription and not acknowledged yet',
    labelNames: SUB,
    registers: [r],
    collect() {
      this.reset();
      each((l, sub) => this.set(l, sub.pending.size));
    },
  });
  new Gauge({
    name: 'stan_subscription_last_sent',
    help: 'Last sequence sent to the subscription',
    labelNames: SUB,
    registers: [r],
    collect() {
      this.reset();
      each((l, sub) => this.set(l, sub.state.lastSent));
    },
  });
  new Gauge({
    name: 'stan_subscription_stalled',
    help: '1 when the subscription has MaxInflight messages pending',
    labelNames: SUB,
    registers: [r],
    collect() {
      this.reset();
      each((l, sub) => this.set(l, sub.stalled ? 1 : 0));
    },
  });
  new Counter({
    name: 'stan_subscription_redelivered_total',
    help: 'Messages redelivered to the subscription since startup',
    labelNames: SUB,
    registers: [r],
    collect() {
      this.reset();
      each((l, sub) => this.inc(l, sub.redelivered));
    },
  });
}

/** A registry with every metric; one per monitor. */
export function createMetricsRegistry(ctx: MonitorContext): Registry {
  const r = new Registry();
  natsMetrics(r, ctx);
  stanMetrics(r, ctx);
  channelMetrics(r, ctx);
  subscriptionMetrics(r, ctx);
  new Gauge({
    name: 'stan_core_info',
    help: 'Which build of the Rust core runs (label core: native or wasm)',
    labelNames: ['core'],
    registers: [r],
    collect() {
      this.reset();
      this.set({ core: ctx.sources.coreKind }, 1);
    },
  });
  r.registerMetric(storeWriteSeconds);
  r.registerMetric(storeFsyncSeconds);
  collectDefaultMetrics({ register: r });
  return r;
}
