// Memory footprint of the MEMORY store: in `npm run test:long`, 1M stored
// 128-byte messages must fit in 300 MB resident (the Go server needs
// 482 MB); `npm test` stores 100k. Either way the JS heap stays small (no
// object per message) and the arena holds about 130 bytes per message
// (record.ts). Runs in its own process, so RSS is ours.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemoryStore } from '../../src/stores/memory/index.js';
import { DEFAULT_STORE_LIMITS } from '../../src/stores/store.js';
import { LONG } from '../helpers/cores.js';

const MESSAGES = LONG ? 1_000_000 : 100_000;
const PAYLOAD = 128;
const MAX_RSS = 300 * 1024 * 1024;
/** Heap after GC: the store's few objects, not one per message. */
const MAX_HEAP_USED = 16 * 1024 * 1024;
const MB = 1024 * 1024;
/** Arena bytes per 128-byte message (130 and the index), plus the chunk being filled and Node's own buffers. */
const MAX_ARRAY_BUFFERS_PER_MSG = 132;
const ARRAY_BUFFERS_SLACK = 2 * MB;

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const footprint = suite('stores/memory footprint');

footprint(`${MESSAGES} 128-byte messages: RSS under 300 MB, heap flat`, async () => {
  const store = new MemoryStore();
  await store.recover();
  const msgs = store.createChannel('bench.foo', { ...DEFAULT_STORE_LIMITS }).msgs;
  const payload = new Uint8Array(PAYLOAD).fill(0x61);
  let ts = BigInt(Date.now()) * 1_000_000n;
  const started = performance.now();
  for (let i = 0; i < MESSAGES; i++) msgs.store(payload, '', ts++);
  const ms = performance.now() - started;
  collectGarbage();
  const mem = process.memoryUsage();
  const { msgs: count, bytes } = msgs.state();
  console.log(
    `  ${count} msgs (${(bytes / MB).toFixed(1)} MB accounted) stored in ${ms.toFixed(0)} ms: ` +
      `rss ${(mem.rss / MB).toFixed(1)} MB, heapUsed ${(mem.heapUsed / MB).toFixed(1)} MB, ` +
      `arrayBuffers ${(mem.arrayBuffers / MB).toFixed(1)} MB`,
  );
  assert.is(count, MESSAGES);
  assert.ok(mem.rss < MAX_RSS, `rss ${mem.rss} >= ${MAX_RSS}`);
  assert.ok(mem.heapUsed < MAX_HEAP_USED, `heapUsed ${mem.heapUsed} >= ${MAX_HEAP_USED}`);
  const maxArrayBuffers = MESSAGES * MAX_ARRAY_BUFFERS_PER_MSG + ARRAY_BUFFERS_SLACK;
  assert.ok(mem.arrayBuffers < maxArrayBuffers, `arrayBuffers ${mem.arrayBuffers} >= ${maxArrayBuffers}`);
  await store.close();
});

footprint.run();
