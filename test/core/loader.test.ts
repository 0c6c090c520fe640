// The core loader: STAN_CORE forces a core, an unknown value is a clear
// error, and each core reports what it is.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CoreLoadError, loadCore, PACKAGE_ROOT } from '../../src/core/index.js';

const test = suite('core/loader');

test('STAN_CORE=wasm loads the WASM build', () => {
  assert.is(loadCore('wasm').kind, 'wasm');
});

test('an unknown STAN_CORE is a clear error', () => {
  assert.throws(() => loadCore('fast'), (e: Error) => e instanceof CoreLoadError && /STAN_CORE=fast is not a core: use one of native, wasm/.test(e.message));
});

test('with STAN_CORE empty the addon is preferred, and the WASM build is the fallback', () => {
  let native: string;
  try {
    native = loadCore('native').kind;
  } catch {
    native = 'missing';
  }
  assert.is(loadCore('').kind, native === 'native' ? 'native' : 'wasm');
});

test('STAN_CORE=native with no addon fails and says how to build it and what was tried', () => {
  const script = `import('${join(PACKAGE_ROOT, 'dist/src/core/index.js')}').then(m => { try { m.loadCore('native'); console.log('loaded') } catch (e) { console.log(e.message) } })`;
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, STAN_NATIVE_LIBRARY_PATH: '/nonexistent/x.node' },
    encoding: 'utf8',
  });
  assert.match(r.stdout, /STAN_CORE=native, but the addon did not load \(build it with `npm run build:native`\)/);
  assert.match(r.stdout, /\/nonexistent\/x\.node: not found/);
});

test.run();
