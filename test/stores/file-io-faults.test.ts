// The fault-injecting file I/O backend (src/stores/file/io-faults.ts) on
// its own, over the real backend of this process: which calls its rules
// fail (call kind, path, nth, count, until cleared), what they throw, what
// a short write leaves in the file, the STAN_FILE_FAULTS syntax, and the
// STAN_FILE_IO=faults selector.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultyIo, parseFaultRules } from '../../src/stores/file/io-faults.js';
import { pickFileIo } from '../../src/stores/file/io.js';
import { tempDir } from './file-helpers.js';

const t = suite('stores/file-io-faults');

function faulty(): { io: FaultyIo; dir: string } {
  return { io: new FaultyIo(pickFileIo(process.env.STAN_FILE_IO?.replace(/^faults:?/, ''))), dir: tempDir() };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
  return undefined;
}

const B = (s: string): Uint8Array => Buffer.from(s);

t('no rule: every call goes through', () => {
  const { io, dir } = faulty();
  const f = io.open(join(dir, 'a.dat'), true);
  assert.is(f.write([B('abc'), B('def')], 0), 6);
  const buf = Buffer.alloc(6);
  assert.is(f.read(buf, 0, 6, 0), 6);
  assert.is(buf.toString(), 'abcdef');
  f.close();
  assert.is(io.injected, 0);
});

t('a rule fails its kind of call on matching paths only, with a node:fs-shaped error', () => {
  const { io, dir } = faulty();
  io.inject({ call: 'write', error: 'ENOSPC', path: 'msgs.' });
  const a = io.open(join(dir, 'msgs.1.dat'), true);
  const b = io.open(join(dir, 'subs.dat'), true);
  let err: NodeJS.ErrnoException | undefined;
  try {
    a.write([B('x')], 0);
  } catch (e) {
    err = e as NodeJS.ErrnoException;
  }
  assert.is(err?.code, 'ENOSPC');
  assert.is(err?.syscall, 'write');
  assert.match(err!.message, /^ENOSPC: no space left on device, write '.*msgs\.1\.dat' \(injected\)$/);
  assert.is(b.write([B('x')], 0), 1);
  assert.is(a.read(Buffer.alloc(1), 0, 1, 0), 0); // reads are another kind
  a.close();
  b.close();
});

t('nth and count: from the nth matching call, for count calls; clear() stops a rule', () => {
  const { io, dir } = faulty();
  const f = io.open(join(dir, 'a.dat'), true);
  io.inject({ call: 'write', error: 'EIO', nth: 3, count: 2 });
  const codes = Array.from({ length: 6 }, (_, i) => code(() => f.write([B('y')], i)));
  assert.equal(codes, [undefined, undefined, 'EIO', 'EIO', undefined, undefined]);
  const until = io.inject({ call: 'write', error: 'EROFS' });
  assert.is(code(() => f.write([B('z')], 0)), 'EROFS');
  assert.is(code(() => f.write([B('z')], 0)), 'EROFS');
  io.clear(until);
  assert.is(code(() => f.write([B('z')], 0)), undefined);
  assert.is(io.injected, 4);
  f.close();
});

t('a short write puts half the bytes in the file, then fails with ENOSPC', () => {
  const { io, dir } = faulty();
  const path = join(dir, 'a.dat');
  const f = io.open(path, true);
  io.inject({ call: 'write', error: 'short', count: 1 });
  assert.is(code(() => f.write([B('0123'), B('4567')], 0)), 'ENOSPC');
  assert.is(readFileSync(path).toString(), '0123');
  assert.is(f.write([B('0123'), B('4567')], 0), 8);
  f.close();
});

t('a failed sync rejects later, naming the first path; open and truncate fail too', async () => {
  const { io, dir } = faulty();
  const f = io.open(join(dir, 'a.dat'), true);
  io.inject({ call: 'sync', error: 'EIO', path: 'a.dat' });
  let err: NodeJS.ErrnoException | undefined;
  await io.sync([f], [dir], true).catch((e: NodeJS.ErrnoException) => (err = e));
  assert.is(err?.code, 'EIO');
  assert.is(err?.syscall, 'fdatasync');
  await io.sync([], [dir], false); // the directory alone does not match
  assert.is(code(() => f.datasyncNow()), 'EIO');
  io.inject({ call: 'truncate', error: 'EROFS' });
  assert.is(code(() => f.truncate(0)), 'EROFS');
  io.inject({ call: 'open', error: 'ENOSPC', path: '.tmp' });
  assert.is(code(() => io.open(join(dir, 'x.tmp'), true)), 'ENOSPC');
  f.close();
});

t('STAN_FILE_FAULTS: rules from text, errors on bad text', () => {
  assert.equal(parseFaultRules('call=write,error=ENOSPC,path=msgs.,nth=20; call=sync,error=EIO,count=1'), [
    { call: 'write', error: 'ENOSPC', path: 'msgs.', nth: 20 },
    { call: 'sync', error: 'EIO', count: 1 },
  ]);
  const [r] = parseFaultRules('call=read,error=short,path=/\\.idx$/');
  assert.ok(r!.path instanceof RegExp);
  assert.ok((r!.path as RegExp).test('x/msgs.1.idx'));
  assert.throws(() => parseFaultRules('call=flush,error=EIO'), /call must be one of open, write, read, sync, truncate/);
  assert.throws(() => parseFaultRules('call=write,error=EPERM'), /error must be one of ENOSPC, EIO, EROFS, short/);
  assert.throws(() => parseFaultRules('call=write,error=EIO,nth=0'), /nth must be a whole number from 1/);
  assert.throws(() => parseFaultRules('write'), /"write" is not key=value/);
});

t('STAN_FILE_IO=faults wraps the default backend; faults:node the node:fs one', () => {
  const io = pickFileIo('faults');
  assert.ok(io instanceof FaultyIo);
  assert.is(io.kind, pickFileIo(undefined).kind);
  const n = pickFileIo('faults:node');
  assert.ok(n instanceof FaultyIo);
  assert.is(n.kind, 'node');
  assert.throws(() => pickFileIo('faults:mmap'), /STAN_FILE_IO=mmap is not a file I\/O backend/);
});

t.run();
