// The command's event loop in 0.1 ms time slices (src/cli/event-loop-slice.ts,
// native/src/sched_slice.rs): the kernel's own account of the main thread.

import { existsSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_LOOP_SLICE_NS } from '../../src/cli/event-loop-slice.js';
import { core } from '../../src/core/index.js';
import { ServerChild } from '../helpers/server-child.js';

const t = suite('cli/event-loop-slice');

/** A thread's se.slice from /proc (a scheduler debug field), or undefined where the kernel shows none. */
function slice(pid: number, tid: number): number | undefined {
  const path = `/proc/${pid}/task/${tid}/sched`;
  if (!existsSync(path)) return undefined;
  const m = /^se\.slice\s*:\s*(\d+)/m.exec(readFileSync(path, 'utf8'));
  return m === null ? undefined : Number(m[1]);
}

t('requestSlice refuses a slice outside the kernel bounds, and gives a known code otherwise', () => {
  const request = core().requestSlice;
  if (request === undefined) return console.log('  (skipped: this core has no requestSlice)');
  assert.throws(() => request(50_000), /100000 to 100000000/);
  assert.throws(() => request(1.5e5 + 0.5), /100000 to 100000000/);
  // This test's own thread: 0 where the kernel keeps custom slices, else one of the documented codes.
  const code = request(EVENT_LOOP_SLICE_NS * 10);
  assert.ok(code === 0 || code === -1 || code === -2 || code === -3 || code > 0, `code ${code}`);
  if (code === 0) {
    const s = slice(process.pid, process.pid);
    if (s !== undefined) assert.is(s, EVENT_LOOP_SLICE_NS * 10);
  }
});

t('the command runs its event loop in 0.1 ms slices, and says so at debug level', async () => {
  const s = new ServerChild(['-p', '0', '-a', '127.0.0.1', '-D']);
  try {
    const m = await s.waitFor(/\[DBG\] Event loop: ([^\n]*)\n/);
    if (m[1] !== 'in 0.1 ms slices') return console.log(`  (not checked: ${m[1]})`);
    const main = slice(s.pid, s.pid);
    if (main === undefined) return console.log('  (not checked: no se.slice in /proc)');
    assert.is(main, EVENT_LOOP_SLICE_NS);
  } finally {
    s.child.kill('SIGINT');
    await s.exit();
  }
});

t.run();
