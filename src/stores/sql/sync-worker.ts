// The worker thread behind SyncDb (sync-db.ts): its own connection to the
// database, answering one query at a time and waking the blocked caller
// through the shared Int32Array.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDb, type Db } from './drivers.js';
import type { ConnectConfig, SqlDriver } from './options.js';

interface Init {
  driver: SqlDriver;
  cfg: ConnectConfig;
  port: MessagePort;
  flag: Int32Array;
}

const { driver, cfg, port, flag } = workerData as Init;
let db: Promise<Db> | undefined;

port.on('message', (req: { id: number; sql: string; params: unknown[] }) => {
  db ??= openDb(driver, cfg, { maxConns: 1 });
  db.then((d) => d.query(req.sql, req.params))
    .then(
      (rows) => port.postMessage({ id: req.id, rows }),
      (err: Error) => {
        db = undefined; // a fresh connection for the next query
        port.postMessage({ id: req.id, error: err.message });
      },
    )
    .finally(() => {
      Atomics.store(flag, 0, req.id);
      Atomics.notify(flag, 0);
    });
});
parentPort?.on('message', () => {
  void db?.then((d) => d.close()).catch(() => {});
  port.close();
});
