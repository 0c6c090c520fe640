// Store latency histograms for /metrics: how long a store write and a
// flush/fsync take. Defined once per process, when the monitor is loaded;
// loading this module points the stores' reports (src/stores/latency.ts)
// at them, and every monitor's registry exposes them.

import { Histogram } from 'prom-client';
import { setStoreLatencySink } from '../stores/latency.js';

/** 10 µs .. ~2.6 s, doubling. */
const LATENCY_BUCKETS = Array.from({ length: 19 }, (_, i) => 0.00001 * 2 ** i);

export const storeWriteSeconds = new Histogram({
  name: 'stan_store_write_seconds',
  help: 'Time to write one batch of records to the message store',
  buckets: LATENCY_BUCKETS,
  registers: [],
});

export const storeFsyncSeconds = new Histogram({
  name: 'stan_store_fsync_seconds',
  help: 'Time to flush (and with file_sync, fsync) the message store',
  buckets: LATENCY_BUCKETS,
  registers: [],
});

setStoreLatencySink({
  write: (seconds) => storeWriteSeconds.observe(seconds),
  sync: (seconds) => storeFsyncSeconds.observe(seconds),
});
