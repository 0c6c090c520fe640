// The per-message protobuf codecs, hand-written against generated
// (src/pb/protocol.ts), on the messages and the calls the server makes per
// publish, delivery and ack: decode PubMsg, encode PubAck, encode MsgProto
// (delivery and the stores), decode MsgProto (file store reads), decode
// Ack. A hand-written codec stays in src/pb/hot.ts only where it wins
// here; those that lost are in baseline/pb-hand.ts.
// Messages are shaped as stan-bench sends them: 128-byte payloads, one
// client and channel, a fresh guid per publish.

import { randomBytes } from 'node:crypto';
import { consume, printTable, type HarnessOptions, type Row } from './harness.js';
import { expectSame, type BenchContext, type Suite } from './suite.js';
import { encodePubAck } from './baseline/pb-hand.js';
import { decodeAck, decodeMsgProto, decodePubMsg, encodeMsgProto, msgProtoSize } from '../src/pb/hot.js';
import * as pb from '../src/pb/protocol.js';

const HAND = 'hand';
const GENERATED = 'generated';
/** Distinct prepared messages cycled through, so no result can be cached. */
const POOL = 256;
/** Messages per batch (one batch well under a slice). */
const BATCH = 1000;
const SIZE = 128;

const CLIENT = 'bench-client-1';
const CHANNEL = 'bench.stan.channel';
const T0 = 1_700_000_000_000_000_000n;

/** A 22-character guid like the clients' NUIDs. */
function guid(i: number): string {
  return `${randomBytes(11).toString('hex').slice(0, 16)}${String(i).padStart(6, '0')}`;
}

type Msg = Omit<pb.MsgProto, 'CRC32'>;

function fixtures() {
  const data = randomBytes(SIZE);
  const guids = Array.from({ length: POOL }, (_, i) => guid(i));
  const pubs = guids.map((g) => pb.PubMsg.encode({ clientID: CLIENT, guid: g, subject: CHANNEL, data }));
  const msgs: Msg[] = guids.map((_, i) => ({
    sequence: 1_000_000 + i,
    subject: CHANNEL,
    reply: '',
    data,
    timestamp: T0 + BigInt(i) * 1000n,
    redelivered: i % 16 === 0,
    redeliveryCount: i % 16 === 0 ? 1 : 0,
  }));
  const stored = msgs.map((m) => pb.MsgProto.encode(m));
  const acks = msgs.map((m) => pb.Ack.encode({ subject: CHANNEL, sequence: m.sequence }));
  return { guids, pubs, msgs, stored, acks };
}

/** The hand-written MsgProto encode as the server calls it per delivery (streaming/codec.ts). */
function handMsgProto(m: Msg): Buffer {
  const out = Buffer.allocUnsafe(msgProtoSize(m.sequence, m.subject, m.reply, m.data, m.timestamp, m.redelivered, m.redeliveryCount));
  encodeMsgProto(out, 0, m.sequence, m.subject, m.reply, m.data, m.timestamp, m.redelivered, m.redeliveryCount);
  return out;
}

type Pair = Record<typeof HAND | typeof GENERATED, (i: number) => number>;

/** Each op as a pair of per-message calls returning something the JIT cannot drop. */
function ops(f: ReturnType<typeof fixtures>): Record<string, Pair> {
  return {
    'decode PubMsg': {
      [HAND]: (i) => decodePubMsg(f.pubs[i]!).data.length,
      [GENERATED]: (i) => pb.PubMsg.decode(f.pubs[i]!).data.length,
    },
    'encode PubAck': {
      [HAND]: (i) => encodePubAck(f.guids[i]!).length,
      [GENERATED]: (i) => pb.PubAck.encode({ guid: f.guids[i]! }).length,
    },
    'encode MsgProto': {
      [HAND]: (i) => handMsgProto(f.msgs[i]!).length,
      [GENERATED]: (i) => pb.MsgProto.encode(f.msgs[i]!).length,
    },
    'decode MsgProto': {
      [HAND]: (i) => decodeMsgProto(f.stored[i]!).sequence,
      [GENERATED]: (i) => pb.MsgProto.decode(f.stored[i]!).sequence,
    },
    'decode Ack': {
      [HAND]: (i) => decodeAck(f.acks[i]!).sequence,
      [GENERATED]: (i) => pb.Ack.decode(f.acks[i]!).sequence,
    },
  };
}

/** A decoded message with bytes as hex and bigints as text, comparable as JSON. */
function comparable(m: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? `${v}n` : v;
  }
  return out;
}

/** Both codecs give the same bytes and values on the fixtures. */
function selfCheck(f: ReturnType<typeof fixtures>): void {
  for (let i = 0; i < POOL; i++) {
    const { sha256: _, ...pub } = pb.PubMsg.decode(f.pubs[i]!);
    expectSame(`PubMsg ${i}`, comparable(decodePubMsg(f.pubs[i]!)), comparable(pub));
    expectSame(`PubAck ${i}`, encodePubAck(f.guids[i]!).toString('hex'), pb.PubAck.encode({ guid: f.guids[i]! }).toString('hex'));
    expectSame(`MsgProto ${i}`, handMsgProto(f.msgs[i]!).toString('hex'), f.stored[i]!.toString('hex'));
    expectSame(`MsgProto decode ${i}`, comparable(decodeMsgProto(f.stored[i]!)), comparable(pb.MsgProto.decode(f.stored[i]!)));
    expectSame(`Ack ${i}`, decodeAck(f.acks[i]!), pb.Ack.decode(f.acks[i]!));
  }
}

/**
 * Best rate per CPU-second of the process (user + system, GC threads
 * included) of each batch, slices taken in turn. CPU time instead of the
 * harness's wall time: on this shared 2-core machine the wall-clock rate of
 * a sub-microsecond op swings by 2x with the other processes' load, which
 * hid differences of 10-50% between the two codecs; time spent waiting for
 * a core does not count here.
 */
function measureCpu(batches: Record<string, () => number>, opts: HarnessOptions): Record<string, number> {
  const names = Object.keys(batches);
  const slice = (batch: () => number, ms: number): number => {
    const start = process.cpuUsage();
    let units = 0;
    let us = 0;
    do {
      units += batch();
      const d = process.cpuUsage(start);
      us = d.user + d.system;
    } while (us < ms * 1000);
    return (units * 1e6) / us;
  };
  for (const name of names) slice(batches[name]!, opts.warmupMs);
  const best: Record<string, number> = {};
  for (let r = 0; r < opts.runs; r++) {
    for (const name of names) best[name] = Math.max(best[name] ?? 0, slice(batches[name]!, opts.runMs));
  }
  return best;
}

export const pbSuite: Suite = {
  name: 'pb',
  summary: `hand-written (src/pb/hot.ts, baseline/pb-hand.ts) vs generated (src/pb/protocol.ts) codecs per hot message, ${SIZE}-byte payloads (M msgs per CPU-second)`,
  run(ctx: BenchContext): void {
    const f = fixtures();
    selfCheck(f);
    const rows: Row[] = [];
    for (const [label, pair] of Object.entries(ops(f))) {
      const batches: Record<string, () => number> = {};
      for (const name of [HAND, GENERATED] as const) {
        const call = pair[name];
        let i = 0;
        batches[name] = () => {
          let acc = 0;
          for (let n = 0; n < BATCH; n++) {
            acc += call(i);
            i = (i + 1) & (POOL - 1);
          }
          consume(acc);
          return BATCH;
        };
      }
      const rates = measureCpu(batches, ctx.opts);
      rows.push({ label, unit: 'M msgs/CPU-s', values: { [HAND]: rates[HAND]! / 1e6, [GENERATED]: rates[GENERATED]! / 1e6 } });
    }
    printTable('per-message codecs', [HAND, GENERATED], GENERATED, rows);
  },
};
