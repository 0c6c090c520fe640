// V8's workers at nice 19 (src/cli/v8-workers.ts): the layout rule on
// made-up thread lists, and the real command's threads in /proc.

import { readdirSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findV8Workers, v8PoolSize, V8_WORKER_NICE, type ThreadState } from '../../src/cli/v8-workers.js';
import { ServerChild } from '../helpers/server-child.js';

const t = suite('cli/v8-workers');

/** Node 20's layout: scheduler (epoll), 4 workers on one futex, the inspector's signal thread, the libuv pool. */
const NODE20: ThreadState[] = [
  { tid: 11, futex: undefined },
  { tid: 12, futex: '0x2b4918d0' },
  { tid: 13, futex: '0x2b4918d0' },
  { tid: 14, futex: '0x2b4918d0' },
  { tid: 15, futex: '0x2b4918d0' },
  { tid: 16, futex: '0x5660460' },
  { tid: 17, futex: '0x566f9c8' },
  { tid: 18, futex: '0x566f9c8' },
];

t('the workers are the pool-size threads after the scheduler, on one futex', () => {
  assert.equal(findV8Workers(NODE20, 4), [12, 13, 14, 15]);
});

t('a worker that is running (no futex), or a layout that differs, gives none', () => {
  const busy = NODE20.map((x) => (x.tid === 14 ? { tid: 14, futex: undefined } : x));
  assert.is(findV8Workers(busy, 4), undefined);
  assert.is(findV8Workers(NODE20, 3), undefined, 'a fifth thread on the same futex: not the pool size given');
  assert.is(findV8Workers(NODE20, 5), undefined, 'the fifth is on another futex');
  assert.is(findV8Workers(NODE20.slice(0, 3), 4), undefined, 'too few threads');
  const first = NODE20.map((x) => (x.tid === 11 ? { tid: 11, futex: '0x2b4918d0' } : x));
  assert.is(findV8Workers(first, 4), undefined, 'the first thread waits like the workers: not the scheduler');
});

t('the pool size: 4, or --v8-pool-size from the command line over NODE_OPTIONS; 0 (Node picks) gives none', () => {
  assert.is(v8PoolSize([], ''), 4);
  assert.is(v8PoolSize(['--v8-pool-size=2'], '--v8-pool-size=6'), 2);
  assert.is(v8PoolSize([], '--max-old-space-size=100 --v8-pool-size=6'), 6);
  assert.is(v8PoolSize(['--v8-pool-size=0'], ''), undefined);
});

/** A thread's nice value: field 19 of its stat line. */
function nice(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

t('the command lowers its V8 workers to nice 19 and no other thread', async () => {
  if (process.platform !== 'linux') return console.log('  (skipped: Linux only)');
  const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '-D']);
  try {
    const m = await s.waitFor(/\[DBG\] V8 workers \(threads ([\d, ]+)\) at nice (\d+)\n/);
    const workers = m[1]!.split(', ').map(Number);
    assert.is(workers.length, 4);
    assert.is(Number(m[2]), V8_WORKER_NICE);
    for (const tid of workers) assert.is(nice(s.pid, tid), 19, `worker ${tid}`);
    const others = readdirSync(`/proc/${s.pid}/task`).map(Number).filter((tid) => !workers.includes(tid));
    assert.ok(others.includes(s.pid));
    for (const tid of others) assert.is(nice(s.pid, tid), 0, `thread ${tid} keeps its priority`);
  } finally {
    s.child.kill('SIGINT');
    await s.exit();
  }
});

t.run();
