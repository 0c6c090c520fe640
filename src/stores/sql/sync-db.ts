// Synchronous queries for the parts of the store contract that are
// synchronous (MsgStore.lookup, timestampOf, firstSeqAtOrAfter, the oldest
// messages' sizes for max_bytes): a worker thread runs the query on its own
// connection while this thread waits on Atomics.wait. Only cache misses of
// those calls come here; delivery reads are async (MsgStore.read).

import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { PACKAGE_ROOT } from '../../core/index.js';
import { StoreError } from '../store.js';
import type { Row } from './drivers.js';
import type { ConnectConfig, SqlDriver } from './options.js';

const SYNC_TIMEOUT_MS = 15_000;

export class SyncDb {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #flag = new Int32Array(new SharedArrayBuffer(4));
  #next = 0;
  #closed = false;

  constructor(driver: SqlDriver, cfg: ConnectConfig) {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(join(PACKAGE_ROOT, 'dist', 'src', 'stores', 'sql', 'sync-worker.js'), {
      workerData: { driver, cfg, port: port2, flag: this.#flag },
      transferList: [port2],
    });
    this.#worker.unref();
    this.#port.unref();
  }

  /** Runs the statement (dialect syntax) and blocks until its rows are back. */
  query(sql: string, params: readonly unknown[] = []): Row[] {
    if (this.#closed) throw new StoreError('sql: store closed');
    const id = ++this.#next;
    this.#port.postMessage({ id, sql, params });
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new StoreError(`sql: query timed out after ${SYNC_TIMEOUT_MS} ms`);
      if (Atomics.load(this.#flag, 0) !== id) Atomics.wait(this.#flag, 0, Atomics.load(this.#flag, 0), left);
      // Answers to earlier, timed-out queries are skipped.
      for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
        const r = m.message as { id: number; rows?: Row[]; error?: string };
        if (r.id !== id) continue;
        if (r.error !== undefined) throw new StoreError(`sql: ${r.error}`);
        return r.rows!;
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.postMessage('close');
    this.#port.close();
    await new Promise((r) => setTimeout(r, 0).unref());
    await this.#worker.terminate();
  }
}
