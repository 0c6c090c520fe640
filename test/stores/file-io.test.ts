// The FILE store's two I/O backends (src/stores/file/io*.ts): the Rust
// addon and node:fs must behave alike, byte for byte and error for error,
// since a store written through one is opened through the other.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { core } from '../../src/core/index.js';
import { NativeIo } from '../../src/stores/file/io-native.js';
import { NodeIo } from '../../src/stores/file/io-node.js';
import { fileIo, pickFileIo, type FileIo } from '../../src/stores/file/io.js';
import { tempDir } from './file-helpers.js';

const backends: FileIo[] = [new NodeIo()];
const files = core().files;
if (files !== undefined) backends.push(new NativeIo(files));

function errCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
  return undefined;
}

for (const io of backends) {
  const name = `${io.kind}: `;

  test(`${name}a batch goes out back to back at its position, and reads back`, () => {
    const p = join(tempDir(), 'a.dat');
    const f = io.open(p, true);
    const a = Buffer.alloc(5000, 1);
    const b = Buffer.from([2, 2, 2]);
    const c = Buffer.alloc(70_000, 3);
    assert.is(f.write([Buffer.from([1, 0, 0, 0])], 0), 4);
    assert.is(f.write([a, b.subarray(1), c], 4), 75_002);
    assert.is(f.size(), 75_006);
    const disk = readFileSync(p);
    assert.equal(disk.subarray(0, 4), Buffer.from([1, 0, 0, 0]));
    assert.equal(disk.subarray(4, 5004), a);
    assert.equal(disk.subarray(5004, 5006), Buffer.from([2, 2]));
    assert.equal(disk.subarray(5006), c);
    const into = Buffer.alloc(20, 9);
    assert.is(f.read(into, 5, 10, 5000), 10);
    assert.equal([...into.subarray(5, 15)], [1, 1, 1, 1, 2, 2, 3, 3, 3, 3]);
    assert.is(into[4], 9, 'nothing written before off');
    assert.is(into[15], 9, 'nothing written after off+len');
    assert.is(f.read(into, 0, 20, 75_000), 6, 'short only at end of file');
    assert.is(f.read(into, 0, 20, 80_000), 0);
    f.truncate(100);
    assert.is(f.size(), 100);
    assert.is(readFileSync(p).length, 100);
    f.close();
  });

  test(`${name}positions past 4 GiB are written where asked (sparse)`, () => {
    const p = join(tempDir(), 'big.dat');
    const f = io.open(p, true);
    const at = 2 ** 32 + 17;
    f.write([Buffer.from('tail')], at);
    assert.is(f.size(), at + 4);
    const got = Buffer.alloc(4);
    assert.is(f.read(got, 0, 4, at), 4);
    assert.is(got.toString(), 'tail');
    f.close();
    rmSync(p);
  });

  test(`${name}open errors carry node:fs codes and name the file`, () => {
    const dir = tempDir();
    const p = join(dir, 'x.dat');
    let msg = '';
    try {
      io.open(p, false);
    } catch (err) {
      assert.is((err as NodeJS.ErrnoException).code, 'ENOENT');
      msg = (err as Error).message;
    }
    assert.ok(msg.startsWith('ENOENT:') && msg.includes(p), msg);
    writeFileSync(p, 'x');
    assert.is(errCode(() => io.open(p, true)), 'EEXIST');
    const f = io.open(p, false);
    assert.is(f.size(), 1);
    f.close();
    assert.is(errCode(() => f.size()), 'EBADF', 'a closed file fails, it does not touch another fd');
    assert.is(errCode(() => f.write([Buffer.from('y')], 0)), 'EBADF');
    assert.is(readFileSync(p, 'utf8'), 'x');
  });

  test(`${name}sync makes files and directories durable, skipping a directory removed meanwhile`, async () => {
    const dir = tempDir();
    const f = io.open(join(dir, 's.dat'), true);
    const g = io.open(join(dir, 't.dat'), true);
    f.write([Buffer.from('abc')], 0);
    g.write([Buffer.from('def')], 0);
    const gone = join(tempDir(), 'gone');
    await io.sync([f, g], [dir, gone], true);
    await io.sync([f], [], false);
    f.datasyncNow();
    f.close();
    g.close();
  });

  test(`${name}a file closed while its sync runs stays valid for the sync`, async () => {
    const dir = tempDir();
    const f = io.open(join(dir, 'c.dat'), true);
    f.write([Buffer.alloc(1 << 20, 7)], 0);
    const p = io.sync([f], [dir], true);
    f.close();
    await p;
    assert.is(readFileSync(join(dir, 'c.dat')).length, 1 << 20);
  });

  test(`${name}syncing a closed file is refused with EBADF`, async () => {
    const f = io.open(join(tempDir(), 'd.dat'), true);
    f.close();
    let code: string | undefined;
    try {
      await io.sync([f], [], true);
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code;
    }
    assert.is(code, 'EBADF');
  });

  test(`${name}readAsync reads where asked, short only at end of file, into the range given`, async () => {
    const p = join(tempDir(), 'r.dat');
    const f = io.open(p, true);
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    f.write([data], 0);
    const into = Buffer.alloc(100_020, 9);
    assert.is(await f.readAsync(into, 10, 100_000, 123_457), 100_000);
    assert.equal(into.subarray(10, 100_010), data.subarray(123_457, 223_457));
    assert.is(into[9], 9, 'nothing written before off');
    assert.is(into[100_010], 9, 'nothing written after off+len');
    assert.is(await f.readAsync(into, 0, 100, 299_950), 50, 'short only at end of file');
    assert.is(await f.readAsync(into, 0, 100, 400_000), 0);
    assert.is(await f.readAsync(into, 0, 0, 0), 0);
    // Many at once, each into its own buffer.
    const bufs = Array.from({ length: 64 }, () => Buffer.alloc(1000));
    const got = await Promise.all(bufs.map((b, k) => f.readAsync(b, 0, 1000, k * 4000)));
    assert.ok(got.every((n) => n === 1000));
    bufs.forEach((b, k) => assert.equal(b, data.subarray(k * 4000, k * 4000 + 1000)));
    f.close();
  });

  test(`${name}a file closed while a read runs stays valid for the read; a closed one is refused`, async () => {
    const p = join(tempDir(), 'c.dat');
    const f = io.open(p, true);
    f.write([Buffer.alloc(1 << 20, 7)], 0);
    const into = Buffer.alloc(1 << 20);
    const r = f.readAsync(into, 0, into.length, 0);
    f.close();
    assert.is(await r, 1 << 20);
    assert.ok(into.every((b) => b === 7));
    let code: string | undefined;
    try {
      await f.readAsync(into, 0, 10, 0);
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code;
    }
    assert.is(code, 'EBADF');
  });
}

test('STAN_FILE_IO picks the backend; an unknown one is a clear error', () => {
  assert.is(pickFileIo('node').kind, 'node');
  if (files !== undefined) assert.is(pickFileIo('native').kind, 'native');
  assert.throws(() => pickFileIo('mmap'), /STAN_FILE_IO=mmap is not a file I\/O backend: use one of native, node/);
});

test('the default is the addon when the core has it', () => {
  assert.is(pickFileIo(undefined).kind, files !== undefined ? 'native' : 'node');
  assert.is(pickFileIo('').kind, files !== undefined ? 'native' : 'node');
  assert.is(fileIo().kind, process.env.STAN_FILE_IO || (files !== undefined ? 'native' : 'node'));
});

test.run();
