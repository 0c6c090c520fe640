// Where a store reports how long its writes and syncs take (seconds).
// Nowhere until a monitor serving /metrics installs a sink
// (src/monitor/store-latency.ts): a server without monitoring neither
// loads prom-client nor keeps histograms.

export interface StoreLatencySink {
  write(seconds: number): void;
  sync(seconds: number): void;
}

let sink: StoreLatencySink | undefined;

export function setStoreLatencySink(s: StoreLatencySink): void {
  sink = s;
}

export function observeStoreWrite(seconds: number): void {
  sink?.write(seconds);
}

export function observeStoreFsync(seconds: number): void {
  sink?.sync(seconds);
}
