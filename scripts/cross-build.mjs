// `npm run build:cross [-- TRIPLE...]`: builds the addon for other
// platforms from a Linux x64 machine, std-only (no crates), into
// native/stan-core.<platformArchABI>.node, where `npm run pack` finds them:
//   aarch64-unknown-linux-gnu  Debian's gcc-aarch64-linux-gnu links it; the
//                              arm64 std from rustup or Debian multiarch
//                              (libstd-rust-dev:arm64)
//   x86_64-pc-windows-gnu      gcc-mingw-w64-x86-64 links it; the std from
//                              rustup or Debian's libstd-rust-dev-windows
// The first Rust toolchain whose std has the target is used: the one on the
// PATH (rustup), else Debian's /usr/bin/cargo + rustc (matched, since a
// newer cargo passes flags rustc 1.63 does not know). A target whose linker
// or std is missing is skipped with a line saying what to install; the exit
// code is 1 only when a build that could run failed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

export const CROSS_TARGETS = {
  'aarch64-unknown-linux-gnu': {
    suffix: 'linux-arm64-gnu',
    linker: 'aarch64-linux-gnu-gcc',
    lib: 'libstan_core_node.so',
    install: 'apt-get install gcc-aarch64-linux-gnu; dpkg --add-architecture arm64 && apt-get update && apt-get install libstd-rust-dev:arm64',
  },
  'x86_64-pc-windows-gnu': {
    suffix: 'win32-x64-gnu',
    linker: 'x86_64-w64-mingw32-gcc',
    lib: 'stan_core_node.dll',
    install: 'apt-get install gcc-mingw-w64-x86-64 libstd-rust-dev-windows',
  },
};

function output(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** A cargo + rustc pair whose rustc has the standard library of `triple`. */
function toolchainFor(triple) {
  for (const [cargo, rustc] of [['cargo', 'rustc'], ['/usr/bin/cargo', '/usr/bin/rustc']]) {
    const libdir = output(rustc, ['--print', 'target-libdir', '--target', triple]);
    if (libdir && existsSync(libdir) && readdirSync(libdir).some((f) => f.startsWith('libstd-'))) {
      return { cargo, rustc, version: output(rustc, ['--version']) };
    }
  }
  return undefined;
}

function build(triple) {
  const t = CROSS_TARGETS[triple];
  if (output(t.linker, ['--version']) === undefined) return `skipped: no ${t.linker} (${t.install})`;
  const tc = toolchainFor(triple);
  if (tc === undefined) return `skipped: no Rust standard library for ${triple} (${t.install})`;
  const started = Date.now();
  const envName = `CARGO_TARGET_${triple.toUpperCase().replaceAll('-', '_')}_LINKER`;
  const rustcDir = tc.rustc.includes('/') ? dirname(tc.rustc) : undefined;
  const r = spawnSync(tc.cargo, ['build', '--release', '--lib', '--locked', '--target', triple, '--target-dir', join('target', 'cross')], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      RUSTC: tc.rustc,
      [envName]: t.linker,
      ...(rustcDir ? { PATH: `${rustcDir}${delimiter}${process.env.PATH}` } : {}),
    },
  });
  if (r.status !== 0) throw new Error(`cargo build --target ${triple} failed`);
  const to = join('native', `stan-core.${t.suffix}.node`);
  copyFileSync(join(root, 'target', 'cross', triple, 'release', t.lib), join(root, to));
  return `${to} (${tc.version}, ${((Date.now() - started) / 1000).toFixed(1)} s)`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const asked = process.argv.slice(2);
  const triples = asked.length > 0 ? asked : Object.keys(CROSS_TARGETS);
  let failed = false;
  for (const triple of triples) {
    if (!(triple in CROSS_TARGETS)) {
      console.error(`build:cross: ${triple} is not one of ${Object.keys(CROSS_TARGETS).join(', ')}`);
      process.exit(1);
    }
    try {
      console.log(`build:cross: ${triple}: ${build(triple)}`);
    } catch (err) {
      console.error(`build:cross: ${triple}: ${err.message}`);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
