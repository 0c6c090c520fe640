// The release tarballs (scripts/pack.mjs) installed as a user installs
// them: into an empty folder, with no Rust toolchain on the PATH, then the
// server started with `npx nats-streaming-server` and a publish/subscribe
// round trip by node-nats-streaming. With the platform tarball the native
// core must load; with the main tarball alone the WASM core serves.
// Dependencies come from the npm cache (or registry): ~30-60 s, so this
// file runs in `npm run test:long` only.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LONG } from '../helpers/cores.js';
import { ROOT, ServerChild } from '../helpers/server-child.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stan: any = require('node-nats-streaming');

const pkg = require(join(ROOT, 'package.json')) as { name: string; version: string };
const NPM_BIN = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin');
const HOST_SUFFIX = `linux-${process.arch}-gnu`;
const hostBinary = join(ROOT, 'native', `stan-core.${HOST_SUFFIX}.node`);

const work = mkdtempSync(join(tmpdir(), 'stan-pack-'));
/** A PATH holding node and sh only: nothing can build Rust. */
const binDir = join(work, 'bin');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: binDir,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_prefer_offline: 'true',
};
delete env.STAN_CORE;
delete env.STAN_NATIVE_LIBRARY_PATH;
const tarballs = join(work, 'tarballs');

function tarball(name: string): string {
  return join(tarballs, `${name}-${pkg.version}.tgz`);
}

function manifest(tgz: string): Record<string, unknown> {
  return JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
}

/** Installs the tarballs into a new empty folder; returns it. */
function install(name: string, tgzs: string[]): string {
  const dir = join(work, name);
  execFileSync('mkdir', [dir]);
  writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true }\n');
  const r = spawnSync(process.execPath, [join(NPM_BIN, 'npm-cli.js'), 'install', ...tgzs], { cwd: dir, env, encoding: 'utf8' });
  assert.is(r.status, 0, `npm install failed:\n${r.stdout}\n${r.stderr}`);
  return dir;
}

/** Starts `npx nats-streaming-server` in `dir`; checks its core and serves one message. */
async function serveOnce(dir: string, wantCore: 'native' | 'wasm'): Promise<void> {
  const server = new ServerChild(['--no', '--', 'nats-streaming-server', '-a', '127.0.0.1', '-p', '-1', '-cid', 'packed'], join(NPM_BIN, 'npx-cli.js'), { cwd: dir, env, group: true });
  try {
    const core = (await server.waitFor(/Core: +(\w+)/))[1];
    assert.is(core, wantCore, server.stderr);
    const port = await server.port();
    await server.waitFor(/Server is ready/);
    const sc = stan.connect('packed', `c-${wantCore}`, { url: `nats://127.0.0.1:${port}` });
    await new Promise((resolve, reject) => {
      sc.once('connect', resolve);
      sc.once('error', reject);
    });
    const got = await new Promise<string>((resolve, reject) => {
      const sub = sc.subscribe('packed.chan');
      sub.on('message', (m: { getData(): string }) => resolve(String(m.getData())));
      sub.on('ready', () => sc.publish('packed.chan', `from ${wantCore}`, (err?: Error) => err && reject(err)));
    });
    assert.is(got, `from ${wantCore}`);
    await new Promise<void>((resolve) => {
      sc.once('close', () => resolve());
      sc.close();
    });
  } finally {
    const exit = await server.stop('SIGINT');
    assert.ok(exit.code === 0 || exit.signal === 'SIGINT', `exit ${JSON.stringify(exit)}\n${server.stderr}`);
  }
}

const skip = !LONG
  ? 'takes ~30-60 s: runs in `npm run test:long`'
  : !existsSync(join(NPM_BIN, 'npx-cli.js'))
    ? `no npm next to ${process.execPath}`
    : undefined;

// A skip registers no test (see test/streaming/c-client.test.ts), but uvu still prints its summary.
if (skip !== undefined) {
  console.log(`SKIPPED: the install test ${skip}`);
  rmSync(work, { recursive: true, force: true });
} else {
  test.before(() => {
    execFileSync('mkdir', [binDir]);
    symlinkSync(process.execPath, join(binDir, 'node'));
    symlinkSync('/bin/sh', join(binDir, 'sh'));
    assert.is(spawnSync('cargo', ['--version'], { env }).error?.message.includes('ENOENT'), true, 'cargo is not on the PATH');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'pack.mjs'), '--no-build', '--out', tarballs], { stdio: 'pipe' });
  });
  test.after(() => rmSync(work, { recursive: true, force: true }));

  test('pack: a main tarball without install scripts, and platform tarballs with the napi-rs fields', () => {
    const main = manifest(tarball(pkg.name));
    assert.is(main.scripts, undefined, 'no script runs at install');
    assert.is(main.types, './dist/src/index.d.ts');
    assert.equal(main.binary, { napi_versions: [8] });
    const names = readdirSync(tarballs);
    for (const n of names.filter((f) => f !== `${pkg.name}-${pkg.version}.tgz`)) {
      const suffix = n.slice(pkg.name.length + 1, -`-${pkg.version}.tgz`.length);
      const m = manifest(join(tarballs, n));
      const [os, cpu, abi] = suffix.split('-');
      assert.is(m.name, `${pkg.name}-${suffix}`);
      assert.equal(m.os, [os]);
      assert.equal(m.cpu, [cpu]);
      assert.equal(m.libc, abi === 'gnu' && os === 'linux' ? ['glibc'] : undefined);
      assert.is(m.main, `stan-core.${suffix}.node`);
      assert.equal(m.files, [`stan-core.${suffix}.node`]);
      assert.is((main.optionalDependencies as Record<string, string>)[m.name as string], pkg.version);
    }
  });

  test('main + platform tarball, no cargo: npx runs the server on the native core', async () => {
    if (!existsSync(hostBinary)) {
      console.log(`skipped: no ${hostBinary} to pack (build it with npm run build:native)`);
      return;
    }
    const dir = install('native', [tarball(pkg.name), tarball(`${pkg.name}-${HOST_SUFFIX}`)]);
    await serveOnce(dir, 'native');
  });

  test('the typings ship: a TypeScript program importing startServer compiles, a wrong option does not', () => {
    const dir = install('typed', [tarball(pkg.name)]);
    writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
    const program = (store: string) =>
      `import { startServer, type ServerOptions } from '${pkg.name}';\n` +
      `const options: ServerOptions = { port: -1, http_port: -1, streaming: { cluster_id: 'typed', store: '${store}' } };\n` +
      `const server = await startServer(options);\nconst url: string = server.url;\n` +
      `server.on('channelCreated', (name: string) => console.log(name, url));\nawait server.close();\n`;
    const tsc = (store: string) => {
      writeFileSync(join(dir, 'consumer.ts'), program(store));
      return spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022',
          '--skipLibCheck', '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', 'consumer.ts'],
        { cwd: dir, encoding: 'utf8' },
      );
    };
    const good = tsc('file');
    assert.is(good.status, 0, good.stdout + good.stderr);
    const bad = tsc('disk');
    assert.is.not(bad.status, 0, 'store: "disk" is not a store type');
    assert.match(bad.stdout, /consumer\.ts/);
  });

  test('main tarball alone, no cargo: npx runs the server on the WASM core', async () => {
    const dir = install('wasm', [tarball(pkg.name)]);
    assert.not.ok(existsSync(join(dir, 'node_modules', `${pkg.name}-${HOST_SUFFIX}`)));
    await serveOnce(dir, 'wasm');
  });
}
test.run();
