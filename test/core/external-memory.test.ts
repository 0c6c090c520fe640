// Core.adjustExternalMemory (native/src/external_memory.rs): tells V8 of
// memory it does not see, to pace its garbage collector; the MEMORY store
// reports its dropped SharedArrayBuffer chunks with it. The WASM core has
// none (undefined): the store then keeps plain ArrayBuffers.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cores } from '../helpers/cores.js';

for (const core of cores()) {
  const s = suite(`core ${core.kind}: adjustExternalMemory`);

  if (core.kind === 'wasm') {
    s('has none: the store keeps plain ArrayBuffers', () => {
      assert.is(core.adjustExternalMemory, undefined);
    });
    s.run();
    continue;
  }

  s("moves V8's external total by the delta, both ways", () => {
    const before = core.adjustExternalMemory!(0);
    assert.is(core.adjustExternalMemory!(1 << 20), before + (1 << 20));
    assert.is(core.adjustExternalMemory!(-(1 << 20)), before);
  });

  s('takes whole numbers of bytes only', () => {
    assert.throws(() => core.adjustExternalMemory!(0.5), /whole number of bytes/);
    assert.throws(() => core.adjustExternalMemory!(2 ** 50), /whole number of bytes/);
    assert.throws(() => (core.adjustExternalMemory as unknown as (x: unknown) => number)('1'), /expected a number/);
  });

  s.run();
}
