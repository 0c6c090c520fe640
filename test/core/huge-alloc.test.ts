// Core.hugeAlloc (native/src/huge_pages.rs): zeroed Buffers in 2 MiB
// units, in transparent huge pages where Linux gives them. The addon on
// Linux x86-64/aarch64 makes them; the WASM core and other platforms have
// none (undefined), and callers then allocate as before.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { cores } from '../helpers/cores.js';

const MIB = 1 << 20;
const MAPS = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');

function rss(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
}

/** The kernel's transparent huge page mode. */
function thpMode(): string {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

for (const core of cores()) {
  const s = suite(`core ${core.kind}: hugeAlloc`);

  if (core.kind === 'wasm' || !MAPS) {
    s('has none here: callers fall back', () => {
      assert.is(core.hugeAlloc?.(MIB), undefined);
    });
    s.run();
    continue;
  }

  s('a zeroed Buffer rounded up to 2 MiB, writable end to end', () => {
    const b = core.hugeAlloc!(MIB)!;
    assert.ok(Buffer.isBuffer(b));
    assert.is(b.length, 2 * MIB);
    assert.ok(b.every((x) => x === 0));
    b.fill(0xab);
    assert.is(b[0], 0xab);
    assert.is(b[b.length - 1], 0xab);
    const c = core.hugeAlloc!(2 * MIB + 1)!;
    assert.is(c.length, 4 * MIB);
    assert.ok(c.every((x) => x === 0), 'a second region is its own, zeroed');
  });

  s('refuses sizes out of range', () => {
    assert.throws(() => core.hugeAlloc!(0), /size out of range/);
    assert.throws(() => core.hugeAlloc!(2 ** 31), /size out of range/);
  });

  s('regions are unmapped once collected: touching 1 GiB of them in turn keeps RSS low', async () => {
    // Each region is written end to end, then dropped. V8 counts their
    // bytes as external memory and collects them as they pile up; the
    // finalizer unmaps each, so RSS holds only a few at a time.
    const before = rss();
    for (let i = 0; i < 64; i++) {
      core.hugeAlloc!(16 * MIB)!.fill(i);
      // Node runs N-API finalizers between turns of the event loop.
      await new Promise((r) => setImmediate(r));
    }
    const grown = rss() - before;
    assert.ok(grown < 512 * MIB, `RSS grew ${(grown / MIB).toFixed(0)} MiB over 1 GiB of dropped regions`);
  });

  s(`backs the region with huge pages when THP allows it (here: ${thpMode()})`, () => {
    if (thpMode() === 'never') return;
    const b = core.hugeAlloc!(8 * MIB)!;
    for (let i = 0; i < b.length; i += 4096) b[i] = 1;
    const huge = Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? 0);
    // The kernel may fall back to small pages when it cannot find 2 MiB
    // of contiguous memory: then this only says so.
    if (huge === 0) console.log('note: the kernel backed the region with small pages (no free huge page)');
    assert.is(b.length, 8 * MIB);
  });

  s.run();
}
