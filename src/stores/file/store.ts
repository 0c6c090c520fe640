// The FILE store (Store of src/stores/store.ts; `-st FILE --dir DIR`), in
// the Go server's directory layout and formats (STAN-REFERENCE §5):
// server.dat, clients.dat, and one directory per channel with subs.dat and
// the message slices. Every write goes through one group committer
// (committer.ts); recovery reads index tails only (msg-recovery.ts).

import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  StoreError,
  type ChannelLimits,
  type ClientInfo,
  type RecoveredChannel,
  type RecoveredState,
  type ServerInfo,
  type Store,
} from '../store.js';
import { AppendFile, writeHeader } from './append-file.js';
import { Committer } from './committer.js';
import {
  checkVersion,
  ClientRec,
  CLIENTS_FILE,
  Crc,
  CRC_POLY_IEEE,
  hex,
  RECORD_HEADER_SIZE,
  sealRecord,
  sealRecordLater,
  SERVER_FILE,
  SUBS_FILE,
  TRUNCATE_WITNESS,
  VERSION_SIZE,
  versionHeader,
} from './format.js';
import { StoreDirLock } from './lock.js';
import { recoverSlices } from './msg-recovery.js';
import { FileMsgStore } from './msg-store.js';
import { fileStoreOptions, type FileStoreOptions } from './options.js';
import {
  decodeClientDelete,
  decodeClientInfo,
  decodeServerInfo,
  encodeClientDelete,
  encodeClientInfo,
  encodeServerInfo,
} from './records.js';
import { scanRecords } from './scan.js';
import { FileSubStore } from './sub-store.js';
import { settleEnd } from './tail.js';
import { clearLongTimer, setLongInterval, type LongTimer } from '../../timers/long.js';

/** How often idle slice files are closed. */
const SWEEP_MS = 1000;
/** A recovery taking longer than this logs its progress about this often. */
const PROGRESS_MS = 1000;

/** What recover() found, for the startup lines. */
export interface RecoveryStats {
  channels: number;
  msgs: number;
  clients: number;
  subs: number;
  ms: number;
}

interface FileChannel {
  msgs: FileMsgStore;
  subs: FileSubStore;
}

const NO_LIMITS: ChannelLimits = { maxSubscriptions: 0, maxMsgs: 0, maxBytes: 0, maxAgeMs: 0, maxInactivityMs: 0 };

export class FileStore implements Store {
  readonly type = 'FILE';
  readonly opts: FileStoreOptions;
  readonly #crc: Crc;
  readonly #committer: Committer;
  readonly #lock: StoreDirLock;
  #recovered = false;
  #serverFile: AppendFile | undefined;
  /** server.dat's payload as recovered, when its record was whole and its CRC right. */
  #serverPayload: Buffer | undefined;
  #clientsFile: AppendFile | undefined;
  readonly #clients = new Map<string, ClientInfo>();
  #cliDeletes = 0;
  #cliCompactedAt = 0;
  #cliCompacting = false;
  readonly #channels = new Map<string, FileChannel>();
  #timers: NodeJS.Timeout[] = [];
  #autoSync: LongTimer | undefined;
  #closed = false;
  stats: RecoveryStats | undefined;

  constructor(opts: Partial<FileStoreOptions> & { dir: string }) {
    this.opts = fileStoreOptions(opts);
    this.#crc = new Crc(this.opts.crcPoly);
    this.#committer = new Committer(this.opts.doSync, this.opts.log, this.opts.latency, this.opts);
    this.#lock = new StoreDirLock(this.opts.dir, this.opts.log);
  }

  get dir(): string {
    return this.opts.dir;
  }

  /**
   * The directory's OS lock (lock.ts): held from here until close(); false
   * while another server holds it. Called again while held (an FT active
   * server does, each heartbeat), it checks that the lock file was not
   * removed and, if it was, locks a new one: false then means another
   * server got in first.
   */
  async lock(): Promise<boolean> {
    return !this.#closed && this.#lock.check();
  }

  async recover(): Promise<RecoveredState> {
    if (this.#recovered) throw new StoreError('the file store is already recovered');
    const started = performance.now();
    this.#lock.acquire();
    this.#recovered = true;
    try {
      this.#truncateWitness();
      this.#removeStaleTemps();
      const info = this.#recoverServer();
      this.#recoverClients();
      const channels = await this.#recoverChannels(started);
      this.#startTimers();
      let msgs = 0;
      let subs = 0;
      for (const c of channels) {
        msgs += c.msgs.state().msgs;
        subs += c.recovered.length;
      }
      this.stats = { channels: channels.length, msgs, clients: this.#clients.size, subs, ms: performance.now() - started };
      return { info, clients: [...this.#clients.values()].map((c) => ({ ...c })), channels };
    } catch (err) {
      this.#closeFiles();
      this.#lock.release();
      this.#recovered = false;
      throw err;
    }
  }

  init(info: ServerInfo): void {
    const f = this.#open();
    const payload = encodeServerInfo(info);
    // A restart hands back what it recovered: server.dat already says it
    // (Go does not rewrite it either), so no temp file, rename and fsyncs.
    if (this.#serverPayload?.equals(payload)) return;
    this.#serverPayload = undefined;
    const rec = Buffer.allocUnsafe(RECORD_HEADER_SIZE + payload.length);
    payload.copy(rec, RECORD_HEADER_SIZE);
    sealRecord(rec, 0, payload.length, 0, this.#crc);
    this.#committer.rewrite({ file: f.server, tmpDir: this.opts.dir, content: () => [versionHeader(), rec] });
  }

  writeFailure(): StoreError | undefined {
    return this.#committer.failure;
  }

  addClient(info: ClientInfo): void {
    this.#refuseIfFailed();
    this.#clients.set(info.id, { ...info, connId: new Uint8Array(info.connId) });
    this.#writeClientRecord(ClientRec.ADD, encodeClientInfo(info));
  }

  deleteClient(id: string): void {
    if (!this.#clients.has(id)) return;
    this.#refuseIfFailed();
    this.#clients.delete(id);
    this.#writeClientRecord(ClientRec.DELETE, encodeClientDelete(id));
    this.#cliDeletes++;
    this.#maybeCompactClients();
  }

  createChannel(name: string, limits: ChannelLimits): FileChannel {
    this.#open();
    this.#refuseIfFailed();
    if (this.#channels.has(name)) throw new StoreError(`channel "${name}" already exists`);
    const dir = join(this.opts.dir, name);
    let subsFile: AppendFile;
    try {
      mkdirSync(dir, { recursive: true });
      subsFile = AppendFile.create(join(dir, SUBS_FILE));
    } catch (err) {
      throw new StoreError(`unable to create channel "${name}": ${(err as Error).message}`);
    }
    this.#committer.dirtyDir(this.opts.dir);
    this.#committer.dirty(subsFile);
    const ch = this.#makeChannel(name, dir, subsFile, limits);
    this.#channels.set(name, ch);
    return ch;
  }

  /** Removes the channel and its directory; unknown names are ignored. */
  deleteChannel(name: string): void {
    const ch = this.#channels.get(name);
    if (ch === undefined) return;
    this.#channels.delete(name);
    ch.msgs.closeFiles(true);
    ch.subs.file.dead = true;
    ch.subs.file.dropPending();
    ch.subs.file.close();
    rmSync(join(this.opts.dir, name), { recursive: true, force: true });
    this.#committer.dirtyDir(this.opts.dir);
  }

  flush(): Promise<void> | void {
    return this.#committer.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    clearLongTimer(this.#autoSync);
    this.#autoSync = undefined;
    this.#timers = [];
    await this.#committer.close();
    this.#closeFiles();
    this.#lock.release();
  }

  /** While failed, a write that needs an answer is refused before it changes anything. */
  #refuseIfFailed(): void {
    const f = this.#committer.failure;
    if (f !== undefined) throw f;
  }

  // ---------- recovery ----------

  #open(): { server: AppendFile; clients: AppendFile } {
    if (this.#serverFile === undefined || this.#clientsFile === undefined || this.#closed) {
      throw new StoreError('the file store is not open: call recover() first');
    }
    return { server: this.#serverFile, clients: this.#clientsFile };
  }

  /** Temp files of a compaction or server.dat rewrite cut short by a crash (committer.ts names them). */
  #removeStaleTemps(): void {
    for (const name of readdirSync(this.opts.dir)) {
      if (/^(subs|clients|server)\.\d+\.\d+\.tmp$/.test(name)) unlinkSync(join(this.opts.dir, name));
    }
  }

  /** --file_truncate_bad_eof may not be used on two starts in a row (§5.7). */
  #truncateWitness(): void {
    const witness = join(this.opts.dir, TRUNCATE_WITNESS);
    if (!this.opts.truncateBadEof) {
      if (existsSync(witness)) unlinkSync(witness);
      return;
    }
    if (existsSync(witness)) {
      throw new StoreError('file store should not be opened consecutively with the TruncateUnexpectedEOF option set to true');
    }
    writeFileSync(witness, '');
  }

  #openOrCreate(path: string): AppendFile {
    const f = existsSync(path) ? AppendFile.open(path) : AppendFile.create(path);
    // Empty: created just before a crash, before its header. It holds nothing.
    if (f.written === 0) writeHeader(f);
    const head = Buffer.alloc(VERSION_SIZE);
    const bad = checkVersion(head, f.read(head, 0, VERSION_SIZE, 0));
    if (bad !== undefined) {
      f.close();
      throw new StoreError(`unable to recover file "${path}": ${bad}`);
    }
    return f;
  }

  #recoverServer(): ServerInfo | undefined {
    const f = (this.#serverFile = this.#openOrCreate(join(this.opts.dir, SERVER_FILE)));
    if (f.written === VERSION_SIZE) return undefined;
    const head = Buffer.alloc(RECORD_HEADER_SIZE);
    const got = f.read(head, 0, RECORD_HEADER_SIZE, VERSION_SIZE);
    const size = got === RECORD_HEADER_SIZE ? head.readUInt32LE(0) : 0;
    const expected = VERSION_SIZE + RECORD_HEADER_SIZE + size;
    if (got < RECORD_HEADER_SIZE || f.written !== expected) {
      throw new StoreError(`unable to recover file "${f.path}": incorrect file size, expected ${expected} bytes, got ${f.written} bytes`);
    }
    const payload = Buffer.alloc(size);
    f.read(payload, 0, size, VERSION_SIZE + RECORD_HEADER_SIZE);
    const want = head.readUInt32LE(4);
    const crc = this.#crc.of(payload, 0, size);
    if (want === crc) this.#serverPayload = payload;
    else {
      // server.dat is read first: a changed --file_crc_poly shows up here.
      const ieee = new Crc(CRC_POLY_IEEE).of(payload, 0, size);
      const hint =
        this.opts.crcPoly !== CRC_POLY_IEEE && ieee === want
          ? ` (the store was written with the default CRC polynomial ${CRC_POLY_IEEE}, not --file_crc_poly ${this.opts.crcPoly})`
          : ' (or the store was written with another --file_crc_poly)';
      if (this.opts.doCrc) {
        throw new StoreError(`unable to recover file "${f.path}": corrupted data, expected crc to be ${hex(want)}, got ${hex(crc)}${hint}`);
      }
    }
    try {
      return decodeServerInfo(payload);
    } catch (err) {
      throw new StoreError(`unable to recover file "${f.path}": ${(err as Error).message}`);
    }
  }

  #recoverClients(): void {
    const f = (this.#clientsFile = this.#openOrCreate(join(this.opts.dir, CLIENTS_FILE)));
    const end = scanRecords(f, true, this.opts.doCrc ? this.#crc : undefined, (type, payload) => {
      try {
        if (type === ClientRec.ADD) {
          const c = decodeClientInfo(payload);
          this.#clients.set(c.id, c);
        } else if (type === ClientRec.DELETE) {
          this.#clients.delete(decodeClientDelete(payload));
          this.#cliDeletes++;
        } else {
          return `invalid client record type: ${type}`;
        }
      } catch (err) {
        return (err as Error).message;
      }
      return undefined;
    });
    settleEnd(f, end, 'strict', this.opts.truncateBadEof, this.opts.log);
  }

  async #recoverChannels(started: number): Promise<RecoveredChannel[]> {
    const names = readdirSync(this.opts.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const out: RecoveredChannel[] = [];
    let lastReport = started;
    for (const name of names) {
      const dir = join(this.opts.dir, name);
      let ch: FileChannel;
      try {
        const slices = recoverSlices(dir, { crc: this.#crc, doCrc: this.opts.doCrc, truncateBadEof: this.opts.truncateBadEof, log: this.opts.log });
        const subsPath = join(dir, SUBS_FILE);
        const subsFile = this.#openOrCreate(subsPath);
        ch = this.#makeChannel(name, dir, subsFile, NO_LIMITS, slices);
        ch.subs.recover();
      } catch (err) {
        throw new StoreError(`unable to recover channel "${name}": ${(err as Error).message}`, { cause: err });
      }
      this.#channels.set(name, ch);
      out.push({ name, msgs: ch.msgs, subs: ch.subs, recovered: ch.subs.recovered() });
      const now = performance.now();
      if (now - lastReport >= PROGRESS_MS) {
        lastReport = now;
        this.opts.log?.info(`STREAM: Recovering the state: ${out.length}/${names.length} channels`);
        await new Promise((r) => setImmediate(r));
      }
    }
    return out;
  }

  #makeChannel(name: string, dir: string, subsFile: AppendFile, limits: ChannelLimits, slices?: ReturnType<typeof recoverSlices>): FileChannel {
    const committer = this.#committer;
    const msgs = new FileMsgStore({ dir, channel: name, committer, crc: this.#crc, opts: this.opts }, limits, slices);
    const subs = new FileSubStore({ rootDir: this.opts.dir, committer, crc: this.#crc, opts: this.opts }, subsFile);
    return { msgs, subs };
  }

  // ---------- clients.dat ----------

  #writeClientRecord(type: number, payload: Buffer): void {
    const f = this.#open().clients;
    const p = f.reserve(RECORD_HEADER_SIZE + payload.length);
    payload.copy(f.buf, p + RECORD_HEADER_SIZE);
    sealRecordLater(f, p, payload.length, type, this.#crc);
    f.added(RECORD_HEADER_SIZE + payload.length);
    this.#committer.dirty(f);
  }

  /** clients.dat rewritten with the live clients once fragmented enough (§5.3). */
  #maybeCompactClients(): void {
    const o = this.opts;
    const f = this.#open().clients;
    if (!o.compactEnabled || this.#cliCompacting) return;
    if (f.size < o.compactMinSize) return;
    if ((this.#cliDeletes * 100) / (this.#cliDeletes + this.#clients.size) < o.compactFragmentation) return;
    if (Date.now() - this.#cliCompactedAt < o.compactIntervalSec * 1000) return;
    this.#cliCompacting = true;
    this.#committer.rewrite({
      file: f,
      tmpDir: o.dir,
      content: () => {
        const out = [versionHeader()];
        for (const c of this.#clients.values()) {
          const payload = encodeClientInfo(c);
          const rec = Buffer.allocUnsafe(RECORD_HEADER_SIZE + payload.length);
          payload.copy(rec, RECORD_HEADER_SIZE);
          sealRecord(rec, 0, payload.length, ClientRec.ADD, this.#crc);
          out.push(rec);
        }
        this.#cliDeletes = 0;
        this.#cliCompactedAt = Date.now();
        return out;
      },
      done: () => {
        this.#cliCompacting = false;
      },
    });
  }

  // ---------- housekeeping ----------

  #startTimers(): void {
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const ch of this.#channels.values()) ch.msgs.sweep(now, this.opts.fdsLimit > 0);
    }, SWEEP_MS);
    sweep.unref();
    this.#timers.push(sweep);
    if (!this.opts.doSync && this.opts.autoSyncMs > 0) {
      // auto_sync comes from the config: any period, so a long-timer interval.
      this.#autoSync = setLongInterval(() => {
        const p = this.#committer.flush(true);
        if (p) p.catch(() => {}); // logged by the committer
      }, this.opts.autoSyncMs, { unref: true });
    }
  }

  #closeFiles(): void {
    for (const ch of this.#channels.values()) {
      ch.msgs.closeFiles();
      ch.subs.file.close();
    }
    this.#channels.clear();
    this.#serverFile?.close();
    this.#clientsFile?.close();
  }
}
