// `node scripts/bundle.mjs` (run by scripts/build.mjs after tsc): esbuild
// joins the compiled modules the command can reach (dist/src/cli/main.js,
// statically or through import()) into dist/bundle/main.js, what a start
// runs, plus one chunk per import() target (the FILE and SQL stores,
// monitoring, TLS, routes..., read only when used).
// bin/nats-streaming-server.js runs the bundle when it is at least as new
// as dist/src/cli/main.js, else the modules.
//
// Why: Node's ESM loader costs about half a millisecond per module
// (resolution, an asynchronous read, a compile), one dependency level
// after another, and the command's start loaded ~150 of them: most of a
// restart's time (recovering a 1M-message FILE store takes ~10 ms).
//
// Packages stay imports of node_modules (their own loading is theirs), as
// do Node's modules. Our code finds its files from the package root
// (src/core/index.ts PACKAGE_ROOT), never relative to its own module, so
// it runs the same from the bundle.

import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = join(root, 'dist', 'bundle');

/** Builds the bundle; resolves to the number of modules in it. */
export async function bundle() {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const r = await build({
    entryPoints: { main: join(root, 'dist', 'src', 'cli', 'main.js') },
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Names and line numbers of stack traces stay readable.
    minify: false,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
  });
  return Object.keys(r.metafile.inputs).length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`bundled the command: ${await bundle()} modules into ${BUNDLE_DIR}`);
}
