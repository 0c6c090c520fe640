#!/usr/bin/env node
// The nats-streaming-server command: runs the compiled CLI (src/cli/main.ts)
// and exits with its code. It runs the one-file build of it
// (dist/bundle/main.js, scripts/bundle.mjs), which starts quicker, when
// that is at least as new as the compiled modules; otherwise (a `tsc` run
// since the last full build, no bundle, or STAN_NO_BUNDLE=1) the modules.
import { createRequire } from 'node:module';

// node:fs through require: an ESM import of it loads its streams, which a start does not need.
const require = createRequire(import.meta.url);
const { existsSync, statSync } = require('node:fs');
const { fileURLToPath } = require('node:url');

const mainUrl = new URL('../dist/src/cli/main.js', import.meta.url);
const bundleUrl = new URL('../dist/bundle/main.js', import.meta.url);
const mtime = (url) => statSync(fileURLToPath(url), { throwIfNoEntry: false })?.mtimeMs;
if (!existsSync(fileURLToPath(mainUrl))) {
  console.error('run `npm install` (or `npm run build`) first');
  process.exit(1);
}
const bundled = process.env.STAN_NO_BUNDLE !== '1' && (mtime(bundleUrl) ?? -1) >= mtime(mainUrl);
const { main } = await import((bundled ? bundleUrl : mainUrl).href);
process.exit(await main(process.argv.slice(2)));
