// The order of effects (STAN-REFERENCE §2.4, §4 items 12-13): publishes
// are stored as they arrive, then completed in batches: flush (fsync with
// the file store) every touched channel, deliver, then send the PubAcks.
// While one batch flushes the next collects (group commit). Control
// requests (unsubscribe, subscription close, connection close) wait until
// every publish received before them is complete.

import type { Logger } from '../log/logger.js';
import type { Delivery } from './delivery.js';
import type { Channel } from './model.js';
import type { NatsTransport } from './transport.js';

/** Publishes stored since the previous batch, and their PubAcks. */
class Batch {
  readonly channels = new Map<Channel, number>(); // channel -> highest sequence stored
  /** PubAcks to send: subjects and payloads side by side (no pair per message). */
  readonly ackSubjects: string[] = [];
  readonly acks: Uint8Array[] = [];
  size = 0;
}

type Control = () => void | Promise<void>;
type Item = Batch | Control;

export class Pipeline {
  readonly #items: Item[] = [];
  #running = false;

  constructor(
    private readonly transport: NatsTransport,
    private readonly delivery: Delivery,
    private readonly log: Logger,
    private readonly batchSize: number,
  ) {}

  /** Records a stored message and the PubAck to send once it is complete. */
  stored(c: Channel, seq: number, ackSubject: string | undefined, ack: Uint8Array): void {
    const b = this.#openBatch();
    b.channels.set(c, seq);
    if (ackSubject !== undefined) {
      b.ackSubjects.push(ackSubject);
      b.acks.push(ack);
    }
    b.size++;
    this.#kick();
  }

  /** A PubAck that stored nothing (an error), sent in order with the others. */
  failed(ackSubject: string | undefined, ack: Uint8Array): void {
    if (ackSubject === undefined) return;
    const b = this.#openBatch();
    b.ackSubjects.push(ackSubject);
    b.acks.push(ack);
    this.#kick();
  }

  /** Runs `fn` after every publish received so far is complete. */
  control(fn: Control): void {
    this.#items.push(fn);
    this.#kick();
  }

  /** Resolves when everything queued so far is done. */
  drained(): Promise<void> {
    return new Promise((resolve) => this.control(resolve));
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
    try {
      for (let item = this.#items.shift(); item !== undefined; item = this.#items.shift()) {
        if (item instanceof Batch) await this.#complete(this.#merge(item));
        else await item();
      }
    } catch (err) {
      this.log.error(`STREAM: publish pipeline: ${(err as Error).stack ?? err}`);
    } finally {
      this.#running = false;
      if (this.#items.length > 0) this.#kick();
    }
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
      for (let i = 0; i < next.acks.length; i++) {
        b.ackSubjects.push(next.ackSubjects[i]!);
        b.acks.push(next.acks[i]!);
      }
      b.size += next.size;
    }
    return b;
  }

  async #complete(b: Batch): Promise<void> {
    let waits: Promise<void>[] | undefined;
    for (const c of b.channels.keys()) {
      const p = c.msgs.flush();
      if (p) (waits ??= []).push(p);
    }
    if (waits) await Promise.all(waits);
    let subWaits: Promise<void>[] | undefined;
    for (const [c, seq] of b.channels) {
      if (seq > c.deliverable) c.deliverable = seq;
      this.delivery.sendAvailable(c);
      const p = c.subStore.flush();
      if (p) (subWaits ??= []).push(p);
    }
    if (subWaits) await Promise.all(subWaits);
    for (let i = 0; i < b.acks.length; i++) this.transport.publish(b.ackSubjects[i]!, b.acks[i]!);
  }
}
