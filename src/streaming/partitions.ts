// Channel partitioning (STAN-REFERENCE §8.5; nats-streaming-server
// server/partitions.go): with `partitioning: true` a server owns the
// channels of its store_limits.channels list (wildcards allowed) and no
// other, and several such servers share one cluster ID on one NATS
// network. This module holds the list and the start-up check that no two
// servers claim a channel in common:
//
// - each server listens on `_STAN.part.<cluster id>`; a request there is a
//   spb.CtrlMsg {MsgType: Partitioning, ServerID, Data: the sender's
//   channels as [uint16 little-endian length][name bytes]...}, and the
//   reply a CtrlMsg {Partitioning, ServerID} whose Data is the first
//   channel in common (ours matching one of theirs, else theirs matching
//   one of ours), empty when there is none;
// - at start a server sends its list there and reads replies until none
//   comes for a second; any with a channel refuses the start with Go's
//   error `channel "foo" causes conflict with channels on server "ID"`.
//
// A server joining the NATS network later is checked by its own start, as
// it sends its list then. (Go also checks again when the NATS client sees
// the cluster's topology change; that is not done here.)

import { CtrlMsg, CtrlMsgType } from '../pb/spb/ctrl.js';
import { subjectMatches } from '../subject/match.js';
import { newInbox, nuid } from './nuid.js';
import type { NatsTransport } from './transport.js';

/** The subject prefix of the channel lists (Go's partitionsPrefix). */
export const PARTITIONS_PREFIX = '_STAN.part';
/** How long the start-up check waits for one more reply (Go's partitionsDefaultRequestTimeout). */
export const PARTITIONS_REPLY_WAIT_MS = 1000;
/** How long a publish or subscription waits for its client's connect to be processed (Go's clientCheckTimeout). */
export const CLIENT_CHECK_TIMEOUT_MS = 1000;
/** Most bytes of channel names per request: well under any NATS max_payload (Go fills up to the server's). */
const LIST_BYTES_MAX = 60 * 1024;
/** Go's ErrNoChannel: partitioning with no channel listed. */
export const ERR_NO_CHANNEL = 'stan: no configured channel';

/** The channel list encoding of CtrlMsg.Data. */
export function encodeChannels(channels: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const c of channels) {
    const name = Buffer.from(c, 'utf8');
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16LE(name.length);
    parts.push(len, name);
  }
  return Buffer.concat(parts);
}

/** Decodes CtrlMsg.Data; throws on a truncated list. */
export function decodeChannels(data: Uint8Array): string[] {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: string[] = [];
  let p = 0;
  while (p < b.length) {
    if (p + 2 > b.length) throw new Error(`unable to decode size, pos=${p} len=${b.length}`);
    const n = b.readUInt16LE(p);
    p += 2;
    if (p + n > b.length) throw new Error(`unable to decode channel, pos=${p} len=${n} max=${b.length}`);
    out.push(b.toString('utf8', p, p + n));
    p += n;
  }
  return out;
}

/** The channel lists of `channels`, cut to fit requests. */
function chunks(channels: readonly string[]): string[][] {
  const out: string[][] = [[]];
  let bytes = 0;
  for (const c of channels) {
    const n = 2 + Buffer.byteLength(c);
    if (bytes + n > LIST_BYTES_MAX && out[out.length - 1]!.length > 0) {
      out.push([]);
      bytes = 0;
    }
    out[out.length - 1]!.push(c);
    bytes += n;
  }
  return out;
}

export class PartitionConflictError extends Error {
  override name = 'PartitionConflictError';
}

export class Partitions {
  /** This server's ID in the exchange (Go's serverID: a NUID per run). */
  readonly serverId = nuid.next();
  readonly channels: readonly string[];
  readonly subject: string;
  #listening: { unsubscribe(): void } | undefined;

  /** `channels`: the store_limits.channels names and patterns; throws ERR_NO_CHANNEL for none. */
  constructor(
    readonly transport: NatsTransport,
    clusterId: string,
    channels: Iterable<string>,
    readonly log: { error(text: string): void },
  ) {
    this.channels = [...channels];
    if (this.channels.length === 0) throw new PartitionConflictError(ERR_NO_CHANNEL);
    this.subject = `${PARTITIONS_PREFIX}.${clusterId}`;
  }

  /** Whether this server serves `channel` (a literal channel name). */
  owns(channel: string): boolean {
    for (const p of this.channels) if (subjectMatches(p, channel)) return true;
    return false;
  }

  /**
   * The first channel of ours that one of `theirs` matches, else the first
   * of theirs one of ours matches; undefined when the lists are disjoint.
   */
  conflictWith(theirs: readonly string[]): string | undefined {
    for (const c of theirs) if (this.channels.some((p) => subjectMatches(p, c))) return c;
    for (const c of this.channels) if (theirs.some((p) => subjectMatches(p, c))) return c;
    return undefined;
  }

  /** Answers other servers' lists from now on. */
  listen(): void {
    this.#listening = this.transport.subscribe(this.subject, (_s, reply, data) => this.#answer(reply, data));
  }

  stop(): void {
    this.#listening?.unsubscribe();
    this.#listening = undefined;
  }

  /**
   * Sends our list to the other servers and reads their replies until
   * none comes for `waitMs`; rejects (PartitionConflictError, Go's text)
   * at the first that names a channel in common.
   */
  check(waitMs = PARTITIONS_REPLY_WAIT_MS): Promise<void> {
    const inbox = newInbox();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const done = (err?: Error) => {
        clearTimeout(timer);
        sub.unsubscribe();
        if (err === undefined) resolve();
        else reject(err);
      };
      const sub = this.transport.subscribe(inbox, (_s, _reply, data) => {
        let r: CtrlMsg;
        try {
          r = CtrlMsg.decode(data);
        } catch (err) {
          done(new PartitionConflictError(`unable to decode partitioning response: ${(err as Error).message}`));
          return;
        }
        if (r.Data.length > 0) {
          done(new PartitionConflictError(`channel ${JSON.stringify(Buffer.from(r.Data).toString())} causes conflict with channels on server ${JSON.stringify(r.ServerID)}`));
          return;
        }
        clearTimeout(timer);
        timer = setTimeout(done, waitMs);
      });
      for (const list of chunks(this.channels)) {
        const req = CtrlMsg.encode({ MsgType: CtrlMsgType.Partitioning, ServerID: this.serverId, Data: encodeChannels(list) });
        this.transport.publish(this.subject, req, inbox);
      }
      timer = setTimeout(done, waitMs);
    });
  }

  /** Another server's list: the reply names the first channel in common, if any. */
  #answer(reply: string | undefined, data: Uint8Array): void {
    if (data.length === 0 || reply === undefined || reply === '') return;
    let req: CtrlMsg;
    let theirs: string[];
    try {
      req = CtrlMsg.decode(data);
      if (req.ServerID === this.serverId) return;
      theirs = decodeChannels(req.Data);
    } catch (err) {
      this.log.error(`STREAM: Error processing partitioning request: ${(err as Error).message}`);
      return;
    }
    const common = this.conflictWith(theirs);
    const answer = { MsgType: CtrlMsgType.Partitioning, ServerID: this.serverId, ...(common !== undefined ? { Data: Buffer.from(common) } : {}) };
    this.transport.publish(reply, CtrlMsg.encode(answer));
  }
}
