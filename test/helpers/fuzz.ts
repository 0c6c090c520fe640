// Protocol fuzzing over raw sockets (the client and route fuzz tests):
// mutating template lines, and writing a connection's bytes at random
// boundaries so that ops are split across chunks too.

import { connect, type Socket } from 'node:net';

/**
 * One line: a template as is (mostly, so connections live long enough to
 * see many lines), or garbage, flipped bytes, inserted noise, a truncated
 * template, or one of `extreme` (huge numbers, long tokens).
 */
export function mutateLine(templates: readonly string[], noise: Buffer, extreme: () => string, next: () => number, validPercent: number): Buffer {
  let b = Buffer.from(templates[next() % templates.length]!, 'latin1');
  if (next() % 100 < validPercent) return b;
  switch (next() % 6) {
    case 0: // pure garbage
      b = Buffer.alloc(1 + (next() % 40));
      for (let i = 0; i < b.length; i++) b[i] = next() & 0xff;
      return b;
    case 1: // flip bytes
      for (let k = 0; k < 1 + (next() % 3); k++) b[next() % b.length] = next() & 0xff;
      return b;
    case 2: // insert noise
      return Buffer.concat([b.subarray(0, next() % b.length), noise.subarray(next() % noise.length).subarray(0, 1 + (next() % 3)), b.subarray(next() % b.length)]);
    case 3: // truncate
      return b.subarray(0, next() % b.length);
    case 4:
      return Buffer.from(extreme());
    default:
      return b;
  }
}

/** Connects, writes `all` in random pieces, ends, and waits (2 s at most) for the close. */
export async function sendFuzzed(port: number, all: Buffer, next: () => number): Promise<void> {
  const s: Socket = connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.on('data', () => {});
  await new Promise<void>((resolve) => s.once('connect', resolve).once('error', resolve));
  for (let at = 0; at < all.length && !s.destroyed; ) {
    const n = 1 + (next() % 512);
    s.write(all.subarray(at, at + n));
    at += n;
  }
  s.end();
  await new Promise<void>((resolve) => {
    s.once('close', () => resolve());
    setTimeout(() => {
      s.destroy();
      resolve();
    }, 2000).unref();
  });
}
