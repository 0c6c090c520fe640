// The command restarted on a FILE store of several slices (issue #16): the
// server is killed with SIGKILL, the end of its last slice is torn (a
// partial message record past the last index record, half an index
// record), and it is started again. A node-nats-streaming client that
// subscribes with DeliverAllAvailable the moment the server logs "Streaming
// Server is ready" gets every acknowledged message, in order, with its
// payload; the torn bytes are cut, the next message follows the last
// acknowledged one, and server.dat is not rewritten.

import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ServerChild } from '../helpers/server-child.js';
import { closeClient, publish, stanConnect } from '../helpers/stan.js';
import { exactly, publishRange, range, subscribe, uniqueId } from '../helpers/stan-sub.js';

const CHANNEL = 'restart';
/** Enough for several slices of SLICE_MSGS, few enough for `npm test`. */
const MSGS = 5000;
const SLICE_MSGS = 1000;

async function start(dir: string): Promise<{ server: ServerChild; url: string }> {
  const server = new ServerChild(['-st', 'file', '--dir', dir, '--file_slice_max_msgs', String(SLICE_MSGS), '-a', '127.0.0.1', '-p', '-1']);
  const port = await server.port();
  await server.waitFor(/Streaming Server is ready/);
  return { server, url: `nats://127.0.0.1:${port}` };
}

/** The data and index files of the channel's newest slice. */
function lastSlice(dir: string): { dat: string; idx: string } {
  const nums = readdirSync(join(dir, CHANNEL))
    .map((n) => /^msgs\.(\d+)\.dat$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  assert.ok(nums.length >= MSGS / SLICE_MSGS, `${nums.length} slices for ${MSGS} messages of ${SLICE_MSGS} a slice`);
  const last = Math.max(...nums);
  return { dat: join(dir, CHANNEL, `msgs.${last}.dat`), idx: join(dir, CHANNEL, `msgs.${last}.idx`) };
}

test('a client subscribing at "ready" after a kill -9 and a torn tail gets every acknowledged message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stan-restart-'));
  let s = await start(dir);
  try {
    const sc = await stanConnect(s.url, uniqueId('pub'));
    await publishRange(sc, CHANNEL, 1, MSGS);
    await closeClient(sc);
    await s.server.stop('SIGKILL');

    // A commit cut short by the crash: a record header announcing 200 bytes
    // and only part of them, and half of an index record.
    const { dat, idx } = lastSlice(dir);
    const torn = Buffer.alloc(8 + 50, 0x5a);
    torn.writeUInt32LE(200, 0);
    appendFileSync(dat, torn);
    appendFileSync(idx, Buffer.alloc(16, 0x5a));

    const serverDat = statSync(join(dir, 'server.dat')).ino;
    s = await start(dir);
    // Connects the moment the server says it is ready.
    const sc2 = await stanConnect(s.url, uniqueId('sub'));
    const all = await subscribe(sc2, CHANNEL, { all: true, maxInFlight: 1024 });
    await exactly(all, MSGS, 'every acknowledged message', 30_000);
    assert.equal(all.seqs(), range(1, MSGS));
    assert.ok(all.got.every((g, i) => g.data === `m${i + 1}`), 'payloads as published');
    assert.match(s.server.stderr, /bytes past the last indexed message were never committed: truncated/);
    // The torn record is gone: the next message follows the last acknowledged one.
    await publish(sc2, CHANNEL, 'after');
    await all.waitSeq(MSGS + 1);
    assert.is(all.got.at(-1)!.data, 'after');
    // server.dat said what the restart recovered: left as it was, not rewritten (as Go).
    assert.is(statSync(join(dir, 'server.dat')).ino, serverDat);
    await closeClient(sc2);
  } finally {
    await s.server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
