// scripts/bundle.mjs: the one-file build of the command (esbuild), what
// bin/nats-streaming-server.js runs when it is current. The rest of the
// suite starts servers through the bin, so it runs on the bundle too; this
// file checks the choice itself and that the bundle finds the package's
// files (package.json, the addon) from its own directory.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, ServerChild } from '../helpers/server-child.js';
import { closeClient, publish, stanConnect } from '../helpers/stan.js';
import { freePort } from '../helpers/ports.js';

const BUNDLE = join(ROOT, 'dist', 'bundle', 'main.js');
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const s = suite('scripts/bundle');

s('the build left a bundle at least as new as the modules', () => {
  assert.ok(statSync(BUNDLE).mtimeMs >= statSync(MAIN).mtimeMs, 'dist/bundle/main.js is older than dist/src/cli/main.js: run npm run build');
});

s('the command says the same version from the bundle and from the modules', () => {
  const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [BIN, '--version'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const bundled = run({});
  const modules = run({ STAN_NO_BUNDLE: '1' });
  assert.is(bundled.status, 0, bundled.stderr);
  assert.match(bundled.stdout, /version \d+\.\d+\.\d+/);
  assert.is(bundled.stdout, modules.stdout);
});

s('a server started from the bundle serves a streaming client', async () => {
  const port = await freePort();
  const srv = new ServerChild(['-a', '127.0.0.1', '-p', String(port)]);
  try {
    await srv.waitFor(/Streaming Server is ready/);
    const sc = await stanConnect(`nats://127.0.0.1:${port}`, 'bundle-test');
    const got = new Promise<string>((resolve) => {
      sc.subscribe('bundle.ch', sc.subscriptionOptions().setDeliverAllAvailable()).on('message', (m: { getData(): string }) => resolve(m.getData()));
    });
    await publish(sc, 'bundle.ch', 'from the bundle');
    assert.is(await got, 'from the bundle');
    await closeClient(sc);
    // The addon loaded from the package root, not from a path next to the bundle.
    assert.match(srv.stdout + srv.stderr, /native/i);
  } finally {
    await srv.stop();
  }
});

s.run();
