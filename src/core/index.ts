// The loader of the Rust core: the N-API addon for this platform, else the
// WASM build. STAN_CORE=native|wasm forces one (an unknown value is an
// error); STAN_CORE_DEBUG=1 prints why the addon did not load.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNative } from './native.js';
import { loadWasm } from './wasm.js';
import type { Core, CoreKind } from './types.js';

export type { Core, CoreKind, NativeFile, NativeFileApi, NativeLock, ProtocolParser, Sublist, SublistStats } from './types.js';
export * from './ops.js';

/**
 * The package root: the nearest directory above this module with a
 * package.json (dist/src/core -> three levels up; from the one-file build
 * of the command, dist/bundle -> two). Files of the package are found from
 * here, never relative to a module, so that both layouts find them.
 */
export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

function packageRoot(from: string): string {
  for (let dir = from; ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return join(from, '..', '..', '..');
    dir = up;
  }
}

const KINDS: readonly CoreKind[] = ['native', 'wasm'];

export class CoreLoadError extends Error {
  override name = 'CoreLoadError';
}

let loaded: Core | undefined;

/** Loads a core of the given kind, or the best available one. */
export function loadCore(want: string | undefined = process.env.STAN_CORE): Core {
  if (want !== undefined && want !== '' && !KINDS.includes(want as CoreKind)) {
    throw new CoreLoadError(`STAN_CORE=${want} is not a core: use one of ${KINDS.join(', ')}, or leave it unset`);
  }
  if (want === 'wasm') return loadWasm(PACKAGE_ROOT);
  try {
    return loadNative(PACKAGE_ROOT);
  } catch (err) {
    if (want === 'native') {
      throw new CoreLoadError(
        `STAN_CORE=native, but the addon did not load (build it with \`npm run build:native\`): ${describe(err)}`,
        { cause: err },
      );
    }
    if (process.env.STAN_CORE_DEBUG) console.error(`native core not loaded, using WASM: ${describe(err)}`);
    return loadWasm(PACKAGE_ROOT);
  }
}

function describe(err: unknown): string {
  const e = err as Error;
  return e.cause ? `${e.message}\n${String(e.cause)}` : String(e.message ?? err);
}

/** The process-wide core, loaded on first use. */
export function core(): Core {
  loaded ??= loadCore();
  return loaded;
}
