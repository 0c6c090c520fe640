// The sequencer: the one order in which operations (ops.ts) are applied,
// and the order of their effects (STAN-REFERENCE §2.4, §4 items 12-13).
// Publishes are applied (stored) as they arrive, then completed in
// batches: flush (fsync with the file store) every touched channel,
// deliver, then send the PubAcks. While one batch flushes the next
// collects (group commit). Every other operation (connect, subscribe,
// unsubscribe, subscription close, connection close) waits until every
// publish received before it is complete, then is decided (values only
// the active server chooses, decide.ts), applied and completed
// (complete.ts), one at a time, in arrival order.
//
// A failed flush answers the batch's publishers on that channel with the
// store's error text in their PubAcks (as the Go server does) and does not
// make their messages deliverable. An operation whose decide or apply
// throws (a store that refuses a channel name, a full disk, a broken
// invariant) is logged at ERR level and answered with the error's text;
// the items behind it go on (no request is left unanswered). An operation
// that wrote is answered once what it wrote is durable (the Go server
// flushes the subscription store before it answers): if that flush fails
// the answer is the error, never "ok" for what is not stored.

import type { Logger } from '../log/logger.js';
import type { Applier, ApplyResult } from './apply.js';
import type { Channels } from './channels.js';
import { encodePubAck } from './codec.js';
import type { Completer } from './complete.js';
import { decideSubscribe, decideTimeStart, startNeedsRead } from './decide.js';
import type { Delivery } from './delivery.js';
import { failureText } from './failures.js';
import type { Channel } from './model.js';
import { type ControlOp, OpKind, type PublishOp } from './ops.js';
import type { NatsTransport } from './transport.js';

/** Publishes stored since the previous batch, and their PubAcks. */
class Batch {
  readonly channels = new Map<Channel, number>(); // channel -> highest sequence stored
  /** PubAcks to send, side by side (no object per message): subject, guid, error ('' for stored), channel. */
  readonly ackSubjects: string[] = [];
  readonly guids: string[] = [];
  readonly errors: string[] = [];
  readonly ackChannels: (Channel | undefined)[] = [];
  size = 0;
}

/** Resolves once everything queued before it is done (shutdown). */
class Barrier {
  constructor(readonly resolve: () => void) {}
}

type Item = Batch | Barrier | ControlOp;

export class Sequencer {
  /**
   * The publish operation handlers fill and pass to publish(): applied
   * before publish() returns and never kept, so one object serves every
   * message (no allocation per message).
   */
  readonly publishOp: PublishOp = { kind: OpKind.Publish, channel: '', data: new Uint8Array(0), reply: '', timestamp: 0n };
  readonly #items: Item[] = [];
  #running = false;

  constructor(
    private readonly transport: NatsTransport,
    private readonly delivery: Delivery,
    private readonly applier: Applier,
    private readonly completer: Completer,
    private readonly channels: Channels,
    private readonly log: Logger,
    private readonly batchSize: number,
  ) {}

  /**
   * Applies a publish (stores the message) and queues its PubAck for when
   * its batch is complete. Returns the channel (the sequence is its
   * lastSeq); throws StanError or the store's error, and then queues
   * nothing: the caller answers with reject().
   */
  publish(op: PublishOp, ackSubject: string | undefined, guid: string): Channel {
    const c = this.applier.publish(op);
    const b = this.#openBatch();
    b.channels.set(c, c.msgs.lastSeq);
    if (ackSubject !== undefined) {
      b.ackSubjects.push(ackSubject);
      b.guids.push(guid);
      b.errors.push('');
      b.ackChannels.push(c);
    }
    b.size++;
    this.#kick();
    return c;
  }

  /** A PubAck with an error (nothing stored), sent in order with the others. */
  reject(ackSubject: string | undefined, guid: string, error: string): void {
    if (ackSubject === undefined) return;
    const b = this.#openBatch();
    b.ackSubjects.push(ackSubject);
    b.guids.push(guid);
    b.errors.push(error);
    b.ackChannels.push(undefined);
    this.#kick();
  }

  /** Queues an operation behind every publish received so far. */
  submit(op: ControlOp): void {
    this.#items.push(op);
    this.#kick();
  }

  /**
   * Applies at once an operation the server decides itself and that must
   * not wait for earlier publishes: deleting a channel found idle (a
   * publish stored meanwhile would be deleted with it).
   */
  applyNow(op: ControlOp): void {
    let r: ApplyResult;
    try {
      r = this.applier.apply(op);
    } catch (err) {
      r = { error: failedOp(this.log, op, err) };
    }
    this.completer.complete(op, r);
  }

  /** Resolves when everything queued so far is done. */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      this.#items.push(new Barrier(resolve));
      this.#kick();
    });
  }

  #openBatch(): Batch {
    const last = this.#items[this.#items.length - 1];
    if (last instanceof Batch && last.size < this.batchSize) return last;
    const b = new Batch();
    this.#items.push(b);
    return b;
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    // After the current socket chunk: everything it held forms one batch.
    queueMicrotask(() => void this.#run());
  }

  async #run(): Promise<void> {
    for (let item = this.#items.shift(); item !== undefined; item = this.#items.shift()) {
      // One item failing (a bug: each one catches what it expects) must
      // not stall the ones behind it.
      try {
        if (item instanceof Batch) await this.#complete(this.#merge(item));
        else if (item instanceof Barrier) item.resolve();
        else await this.#control(item);
      } catch (err) {
        this.log.error(`STREAM: sequencer: ${(err as Error).stack ?? err}`);
      }
    }
    this.#running = false;
  }

  /**
   * Decides, applies and completes one operation. A throw before the
   * completion is answered as an error (the completion sends each kind's
   * response with it); one in the completion is only logged: the
   * response may have left already.
   */
  async #control(op: ControlOp): Promise<void> {
    let r: ApplyResult;
    try {
      if (op.kind === OpKind.Subscribe) {
        if (startNeedsRead(op, this.channels)) await decideTimeStart(op, this.channels);
        decideSubscribe(op, this.channels);
      }
      r = this.applier.apply(op);
      if (r.error === undefined && WRITES_ANSWERED.has(op.kind)) {
        const p = this.applier.durable();
        if (p) await p; // no wait at all when nothing is pending (the memory store)
      }
    } catch (err) {
      r = { error: failedOp(this.log, op, err) };
    }
    this.completer.complete(op, r);
  }

  /**
   * Folds the batches queued right behind `b` (they collected while the
   * previous flush ran; their messages are stored already) into it, so
   * one flush makes them all durable: the group commit.
   */
  #merge(b: Batch): Batch {
    for (let next = this.#items[0]; next instanceof Batch; next = this.#items[0]) {
      this.#items.shift();
      for (const [c, seq] of next.channels) {
        if (seq > (b.channels.get(c) ?? 0)) b.channels.set(c, seq);
      }
      for (let i = 0; i < next.ackSubjects.length; i++) {
        b.ackSubjects.push(next.ackSubjects[i]!);
        b.guids.push(next.guids[i]!);
        b.errors.push(next.errors[i]!);
        b.ackChannels.push(next.ackChannels[i]);
      }
      b.size += next.size;
    }
    return b;
  }

  async #complete(b: Batch): Promise<void> {
    // The message stores' flushes; no await at all when none is pending (memory store).
    let failed: Map<Channel, string> | undefined;
    let waits: Promise<void>[] | undefined;
    let waiting: Channel[] | undefined;
    for (const c of b.channels.keys()) {
      try {
        const p = c.msgs.flush();
        if (p) {
          (waits ??= []).push(p);
          (waiting ??= []).push(c);
        }
      } catch (err) {
        failed = this.#flushFailed(failed, c, err);
      }
    }
    if (waits) {
      const results = await Promise.allSettled(waits);
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        if (r.status === 'rejected') failed = this.#flushFailed(failed, waiting![i]!, r.reason);
      }
    }
    let subWaits: Promise<void>[] | undefined;
    for (const [c, seq] of b.channels) {
      if (failed?.has(c)) continue;
      if (seq > c.deliverable) c.deliverable = seq;
      // The messages are durable: a failing delivery or subscription
      // flush must not keep their PubAcks from leaving.
      try {
        this.delivery.sendAvailable(c);
        const p = c.subStore.flush();
        if (p) (subWaits ??= []).push(p);
      } catch (err) {
        this.log.error(`STREAM: Error delivering on channel "${c.name}": ${(err as Error).stack ?? err}`);
      }
    }
    if (subWaits) {
      try {
        await Promise.all(subWaits);
      } catch (err) {
        this.log.error(`STREAM: Error flushing subscriptions: ${(err as Error).message}`);
      }
    }
    for (let i = 0; i < b.ackSubjects.length; i++) {
      let error = b.errors[i]!;
      if (failed !== undefined && error === '') error = failed.get(b.ackChannels[i]!) ?? '';
      this.transport.publish(b.ackSubjects[i]!, encodePubAck(b.guids[i]!, error));
    }
  }

  /** Records a channel whose flush failed: its publishers get the error text. */
  #flushFailed(failed: Map<Channel, string> | undefined, c: Channel, err: unknown): Map<Channel, string> {
    const text = err instanceof Error ? err.message : String(err);
    this.log.error(`STREAM: Error flushing channel "${c.name}": ${text}`);
    return (failed ?? new Map<Channel, string>()).set(c, text);
  }
}

/** Operations answered only once what they wrote is durable. */
const WRITES_ANSWERED: ReadonlySet<ControlOp['kind']> = new Set([OpKind.Connect, OpKind.Disconnect, OpKind.Subscribe, OpKind.RemoveSub]);

/** Logs an operation that could not be decided or applied; returns its requester's error text. */
function failedOp(log: Logger, op: ControlOp, err: unknown): string {
  return failureText(log, `Unable to apply ${op.kind}${opTarget(op)}`, err);
}

/** What an operation is about, for the log. */
function opTarget(op: ControlOp): string {
  switch (op.kind) {
    case OpKind.Connect:
      return ` [Client:${op.info.id}]`;
    case OpKind.Subscribe:
      return ` [Client:${op.request.clientID}] on "${op.request.subject}"`;
    case OpKind.Disconnect:
    case OpKind.RemoveSub:
      return ` [Client:${op.clientId}]`;
    default:
      return ` on "${op.channel}"`;
  }
}
