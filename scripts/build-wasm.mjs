// Rebuilds wasm/stan_core.wasm with Debian's rustc 1.63 (the one that has
// the wasm32-unknown-unknown std here). Paths are remapped so the output
// does not depend on where the checkout lives: CI rebuilds it and compares
// it byte for byte with the committed file (`--check`).
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'wasm', 'stan_core.wasm');
const check = process.argv.includes('--check');
const cargo = process.env.STAN_WASM_CARGO ?? '/usr/bin/cargo';
const rustc = process.env.STAN_WASM_RUSTC ?? '/usr/bin/rustc';

if (!existsSync(cargo) || !existsSync(rustc)) {
  console.error(`build:wasm needs Debian's rustc and cargo with the wasm32 std:
  apt-get install rustc cargo libstd-rust-dev-wasm32
(or set STAN_WASM_CARGO / STAN_WASM_RUSTC)`);
  process.exit(2);
}
const targetDir = join(root, 'wasm', 'target');
execFileSync(cargo, ['build', '--release', '--locked', '--offline', '--target', 'wasm32-unknown-unknown', '--target-dir', targetDir], {
  cwd: join(root, 'wasm'),
  stdio: 'inherit',
  env: { ...process.env, RUSTC: rustc, RUSTFLAGS: `--remap-path-prefix=${root}=/stan` },
});
const built = join(targetDir, 'wasm32-unknown-unknown', 'release', 'stan_wasm.wasm');
if (check) {
  const same = existsSync(committed) && readFileSync(built).equals(readFileSync(committed));
  if (!same) {
    console.error('wasm/stan_core.wasm differs from a fresh build: run `npm run build:wasm` and commit it');
    process.exit(1);
  }
  console.log('wasm/stan_core.wasm matches a fresh build');
} else {
  copyFileSync(built, committed);
  console.log(`wrote ${committed} (${readFileSync(committed).length} bytes)`);
}
