// `npm run pack`: writes into dist/pack/ the tarballs a release publishes,
// in the napi-rs layout (shared/docs/PACKAGING.md §1):
//   - the main package: dist/src (JavaScript and typings), bin/, the WASM
//     core, and `optionalDependencies` on the platform packages; no install
//     script, so installing it never runs cargo;
//   - one package per platform binary found in native/ (a local build, or a
//     cross build of scripts/cross-build.mjs): `<name>-<platformArchABI>`
//     with `os`/`cpu`(/`libc`) and the one .node file.
// It compiles the TypeScript (`--no-build` skips that) and the typings first;
// the binaries are packed as they are, and a target without one is left out
// with a line saying so. Prints each tarball with its size.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const outAt = process.argv.indexOf('--out');
/** `--out DIR` writes the tarballs there instead (the install test). */
const out = outAt >= 0 ? process.argv[outAt + 1] : join(root, 'dist', 'pack');
const stage = join(out, 'stage');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { binaryName, targets } = pkg.napi;
/** The Node-API version the addon is built against (package.json binary.napi_versions). */
const napiVersion = pkg.binary.napi_versions[0];

/** Rust target triple -> napi-rs platformArchABI (the CLI's table, for the triples we name). */
const SUFFIX = {
  'x86_64-unknown-linux-gnu': ['linux', 'x64', 'glibc'],
  'aarch64-unknown-linux-gnu': ['linux', 'arm64', 'glibc'],
  'x86_64-unknown-linux-musl': ['linux', 'x64', 'musl'],
  'aarch64-unknown-linux-musl': ['linux', 'arm64', 'musl'],
  'x86_64-apple-darwin': ['darwin', 'x64'],
  'aarch64-apple-darwin': ['darwin', 'arm64'],
  'x86_64-pc-windows-msvc': ['win32', 'x64', 'msvc'],
  'aarch64-pc-windows-msvc': ['win32', 'arm64', 'msvc'],
  'x86_64-pc-windows-gnu': ['win32', 'x64', 'gnu'],
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', ...opts });
  if (r.status !== 0) {
    console.error(`pack: ${cmd} ${args.join(' ')} failed`);
    process.exit(1);
  }
  return r;
}

/** The fields every package of the release shares with the root package. */
function common() {
  const fields = ['version', 'description', 'license', 'author', 'repository', 'bugs', 'homepage', 'keywords', 'engines'];
  return Object.fromEntries(fields.filter((f) => pkg[f] !== undefined).map((f) => [f, pkg[f]]));
}

function platformPackage(triple) {
  const [os, cpu, abi] = SUFFIX[triple] ?? [];
  if (os === undefined) throw new Error(`pack: no platform name for target ${triple}`);
  const suffix = [os, cpu, abi === 'glibc' ? 'gnu' : abi].filter(Boolean).join('-');
  const file = `${binaryName}.${suffix}.node`;
  const manifest = {
    name: `${pkg.name}-${suffix}`,
    ...common(),
    description: `${pkg.name}'s Rust core (Node-API ${napiVersion}) for ${suffix}`,
    binary: pkg.binary,
    os: [os],
    cpu: [cpu],
    ...(abi === 'glibc' || abi === 'musl' ? { libc: [abi] } : {}),
    main: file,
    files: [file],
  };
  return { suffix, file, manifest };
}

function pack(dir) {
  const r = spawnSync('npm', ['pack', dir, '--pack-destination', out, '--json', '--silent'], {
    cwd: root,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  const [info] = JSON.parse(r.stdout);
  return info;
}

if (!process.argv.includes('--no-build')) run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
// The typings are not part of the everyday build (tsconfig.json): emitted here.
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.types.json']);
for (const need of ['dist/src/index.js', 'dist/src/index.d.ts', 'wasm/stan_core.wasm']) {
  if (!existsSync(join(root, need))) {
    console.error(`pack: ${need} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// The platform packages: one per target whose binary is there.
const packed = [];
for (const triple of targets) {
  const p = platformPackage(triple);
  const bin = join(root, 'native', p.file);
  if (!existsSync(bin)) {
    console.log(`pack: no ${join('native', p.file)} (${triple}): its package is not written`);
    continue;
  }
  const dir = join(stage, p.manifest.name);
  mkdirSync(dir);
  cpSync(bin, join(dir, p.file));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(p.manifest, null, 2)}\n`);
  writeFileSync(
    join(dir, 'README.md'),
    `# ${p.manifest.name}\n\nThe \`${p.suffix}\` binary of [${pkg.name}](https://www.npmjs.com/package/${pkg.name}) ` +
      `(its Rust core as a Node-API ${napiVersion} addon). Installed by that package as an optional dependency; not used on its own.\n`,
  );
  packed.push(p.manifest.name);
}

// The main package: what runs, without the build scripts and dev tools.
const main = join(stage, pkg.name);
mkdirSync(main);
/** Copies dist/src without source maps and compiled tests. */
function copyTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const p = join(from, name);
    if (statSync(p).isDirectory()) copyTree(p, join(to, name));
    else if (!name.endsWith('.map')) cpSync(p, join(to, name));
  }
}
copyTree(join(root, 'dist', 'src'), join(main, 'dist', 'src'));
// After dist/src: the bin runs the bundle only when it is at least as new as the modules.
if (existsSync(join(root, 'dist', 'bundle'))) copyTree(join(root, 'dist', 'bundle'), join(main, 'dist', 'bundle'));
cpSync(join(root, 'bin'), join(main, 'bin'), { recursive: true });
mkdirSync(join(main, 'wasm'));
cpSync(join(root, 'wasm', 'stan_core.wasm'), join(main, 'wasm', 'stan_core.wasm'));
for (const f of ['README.md', 'LICENSE']) if (existsSync(join(root, f))) cpSync(join(root, f), join(main, f));
const manifest = {
  name: pkg.name,
  ...common(),
  description: pkg.description,
  type: pkg.type,
  main: './dist/src/index.js',
  types: './dist/src/index.d.ts',
  exports: { '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' }, './package.json': './package.json' },
  bin: pkg.bin,
  files: ['bin/', 'dist/src/', 'wasm/stan_core.wasm'],
  napi: pkg.napi,
  binary: pkg.binary,
  dependencies: pkg.dependencies,
  optionalDependencies: Object.fromEntries(packed.map((name) => [name, pkg.version])),
};
writeFileSync(join(main, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

for (const dir of [main, ...packed.map((n) => join(stage, n))]) {
  const info = pack(dir);
  console.log(`${info.filename}  ${(info.size / 1024).toFixed(1)} kB packed, ${(info.unpackedSize / 1024).toFixed(1)} kB unpacked, ${info.entryCount} files`);
}
rmSync(stage, { recursive: true, force: true });
