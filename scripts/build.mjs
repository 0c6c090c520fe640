// `npm install` / `npm run build`: builds the N-API addon when a Rust
// toolchain is there (else the loader falls back to the committed WASM
// build), then compiles the TypeScript. `--native-only` skips the latter.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeOnly = process.argv.includes('--native-only');
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status === 0;
}

function haveCargo() {
  const r = spawnSync('cargo', ['--version'], { stdio: 'ignore', shell: process.platform === 'win32' });
  return r.status === 0;
}

if (process.env.STAN_SKIP_NATIVE_BUILD) {
  console.log('build: STAN_SKIP_NATIVE_BUILD is set, not building the native addon');
} else if (!haveCargo()) {
  console.log('build: no cargo on PATH: the server will use the WASM core (wasm/stan_core.wasm)');
} else if (!run(bin('napi'), ['build', '--platform', '--release', '--output-dir', 'native', '--no-js'])) {
  if (nativeOnly) process.exit(1);
  console.warn('build: the native addon did not build: the server will use the WASM core');
}

if (!nativeOnly) {
  if (!existsSync(bin('tsc'))) {
    console.error('build: TypeScript is not installed: run `npm install` first');
    process.exit(1);
  }
  if (!run(bin('tsc'), ['-p', 'tsconfig.json'])) process.exit(1);
  // The command's one-file build (a quicker start); without it the command loads the modules.
  try {
    const { bundle } = await import('./bundle.mjs');
    console.log(`build: bundled the command (${await bundle()} modules)`);
  } catch (err) {
    console.warn(`build: no bundle, the command will start from dist/src module by module: ${err.message}`);
  }
}
