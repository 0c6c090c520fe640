// Group commit for the whole FILE store (STAN-REFERENCE §5.4 "Buffering";
// the "acks never precede durability"). Writes land in the pending
// chunks of their files (append-file.ts); a commit hands every dirty file's
// pending bytes to the OS with one positional write per file, then — with
// file_sync — fdatasyncs all of them as one job on a libuv worker thread,
// off the event loop (io.ts: the Rust addon, or node:fs). flush() resolves once everything appended before the call is
// durable. Commits run one at a time: while one syncs, the next collects,
// and every flush() made meanwhile shares it.
//
// Work that must wait until data is durable (deleting a removed slice,
// whose messages would otherwise be the only record of the last sequence)
// rides on the next commit, after its sync.

import { performance } from 'node:perf_hooks';
import { renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StoreError } from '../store.js';
import type { CommitLatency, StoreLog } from './options.js';
import type { AppendFile } from './append-file.js';
import { fileIo, type StoreFile } from './io.js';

/** A file replaced wholesale by a snapshot (compaction). */
export interface Rewrite {
  file: AppendFile;
  /** Directory of the temp file (the Go server uses the root dir). */
  tmpDir: string;
  /** The new content, version header included; called at the commit. */
  content: () => Buffer[];
  /** Called once the new file is in place. */
  done?: () => void;
}

type Deferred = { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void };

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let tmpCounter = 0;

export class Committer {
  readonly #doSync: boolean;
  readonly #log: StoreLog | undefined;
  readonly #dirty = new Set<AppendFile>();
  readonly #unsynced = new Set<AppendFile>();
  readonly #dirs = new Set<string>();
  #rewrites: Rewrite[] = [];
  #after: (() => void)[] = [];
  #inflight: Promise<void> | undefined;
  /** Files whose data the in-flight commit is making durable. */
  #syncing: AppendFile[] = [];
  /** Files with a rewrite requested and not yet staged. */
  readonly #rewriting = new Set<AppendFile>();
  #next: Deferred | undefined;
  #failed: Error | undefined;
  /** What every flush rejects with once a commit failed. */
  #failure: StoreError | undefined;
  #kickScheduled = false;
  /** Bumped after each write phase: everything appended before it is on the OS. */
  epoch = 0;

  readonly #latency: CommitLatency | undefined;

  constructor(doSync: boolean, log?: StoreLog, latency?: CommitLatency) {
    this.#doSync = doSync;
    this.#log = log;
    this.#latency = latency;
  }

  get failed(): Error | undefined {
    return this.#failed;
  }

  /** `f` has pending bytes for the next commit. */
  dirty(f: AppendFile): void {
    this.#dirty.add(f);
    if (f.isNew) {
      f.isNew = false;
      this.#dirs.add(f.dir);
    }
  }

  /** A directory entry changed (a file created or removed) and must survive a crash. */
  dirtyDir(dir: string): void {
    this.#dirs.add(dir);
  }

  rewrite(r: Rewrite): void {
    this.#rewrites.push(r);
    this.#rewriting.add(r.file);
    this.#kick();
  }

  /** Runs `op` after the next commit made everything appended so far durable. */
  afterDurable(op: () => void): void {
    this.#after.push(op);
    this.#kick();
  }

  /** Something to commit soon even if nobody flushes (limits, compaction, full buffers). */
  #kick(): void {
    if (this.#kickScheduled) return;
    this.#kickScheduled = true;
    setImmediate(() => {
      this.#kickScheduled = false;
      const p = this.flush();
      if (p) p.catch(() => {}); // reported by the flush that waits on it, and logged
    });
  }

  /** Asks for a commit when a file's pending bytes passed the buffer size. */
  soon(): void {
    this.#kick();
  }

  #hasWork(): boolean {
    return this.#dirty.size > 0 || this.#rewrites.length > 0 || this.#after.length > 0 || this.#dirs.size > 0;
  }

  /**
   * Resolves once everything appended so far to `files` is durable: at
   * once when they have nothing pending and nothing being synced, else
   * with the in-flight commit, else with a new one (which commits every
   * file, as flush() does).
   */
  flushFiles(files: Iterable<AppendFile>): Promise<void> | void {
    if (this.#failure) return Promise.reject(this.#failure);
    let wait: Promise<void> | undefined;
    for (const f of files) {
      if (f.dead) continue;
      if (f.pendingBytes > 0 || this.#rewriting.has(f)) return this.flush();
      if (f.syncing !== undefined) wait = f.syncing;
    }
    return wait;
  }

  /**
   * Resolves once everything appended so far is durable (written, and
   * fsynced with file_sync). Returns nothing when that is already so.
   */
  flush(forceSync = false): Promise<void> | void {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!this.#hasWork() && !(forceSync && this.#unsynced.size > 0)) return this.#inflight;
    if (this.#inflight) {
      this.#next ??= deferred();
      return this.#next.promise;
    }
    return this.#start(forceSync);
  }

  #start(forceSync: boolean): Promise<void> | void {
    let p: Promise<void> | void;
    try {
      p = this.#commit(forceSync);
    } catch (err) {
      return Promise.reject(this.#fail(err as Error));
    }
    if (p === undefined) return undefined;
    const run = p.then(
      () => this.#finish(),
      (err: Error) => {
        const failure = this.#fail(err);
        this.#finish();
        throw failure;
      },
    );
    this.#inflight = run;
    for (const f of this.#syncing) f.syncing = run;
    return run;
  }

  #finish(): void {
    this.#inflight = undefined;
    for (const f of this.#syncing) f.syncing = undefined;
    this.#syncing = [];
    const next = this.#next;
    if (next === undefined) return;
    this.#next = undefined;
    if (this.#failure) return next.reject(this.#failure);
    const p = this.#start(false);
    if (p === undefined) next.resolve();
    else p.then(next.resolve, next.reject);
  }

  /**
   * A commit failed (a write, an fsync, a rename): latched. What it held
   * may or may not be on disk, so nothing is reported durable from here
   * on: every flush, the one that saw it and all later ones, rejects with
   * the same StoreError, and stores are refused (MsgStore.store).
   */
  #fail(err: Error): StoreError {
    if (this.#failure) return this.#failure;
    this.#failed = err;
    this.#failure = new StoreError(`file store failed: ${err.message}`, { cause: err });
    this.#log?.error(`STREAM: file store: ${err.message}; no more writes will be acknowledged`);
    return this.#failure;
  }

  /** The write phase (synchronous); returns the sync phase, if there is one. */
  #commit(forceSync: boolean): Promise<void> | void {
    const rewrites = this.#rewrites;
    this.#rewrites = [];
    const after = this.#after;
    this.#after = [];
    const dirs = [...this.#dirs];
    this.#dirs.clear();
    // Snapshots first: they include every record appended so far, so the
    // pending bytes of a rewritten file are dropped, not written.
    const staged = rewrites.map((r) => this.#stage(r));
    this.#rewriting.clear();
    const files = [...this.#dirty];
    this.#dirty.clear();
    const started = this.#latency ? performance.now() : 0;
    for (const f of files) {
      if (f.dead) continue;
      f.writePending();
      this.#unsynced.add(f);
    }
    if (this.#latency && files.length > 0) this.#latency.write((performance.now() - started) / 1000);
    this.epoch++;
    const sync = this.#doSync || forceSync;
    if (!sync && staged.length === 0) {
      for (const op of after) this.#runAfter(op);
      return undefined;
    }
    this.#syncing = sync ? [...this.#unsynced] : [];
    for (const st of staged) this.#syncing.push(st.rewrite.file);
    return this.#syncPhase(sync, staged, dirs, after);
  }

  async #syncPhase(sync: boolean, staged: Staged[], dirs: string[], after: (() => void)[]): Promise<void> {
    // One job for the whole commit: every unsynced file, the staged
    // snapshots, then the directories whose entries changed.
    const files: StoreFile[] = [];
    if (sync) {
      for (const f of this.#unsynced) {
        f.unsynced = false;
        // A deleted file has nothing to make durable; a closed one was
        // closed only once synced (AppendFile.closeIfIdle).
        const open = f.openFile;
        if (!f.dead && open !== undefined) files.push(open);
      }
      this.#unsynced.clear();
    }
    for (const s of staged) files.push(s.file);
    const started = this.#latency ? performance.now() : 0;
    await fileIo().sync(files, sync ? dirs : [], true);
    if (this.#latency && sync) this.#latency.sync((performance.now() - started) / 1000);
    for (const s of staged) {
      renameSync(s.tmp, s.rewrite.file.path);
      s.rewrite.file.replaceFile(s.file, s.size);
      s.rewrite.done?.();
    }
    if (staged.length > 0) await fileIo().sync([], [...new Set(staged.map((s) => s.rewrite.file.dir))], false);
    for (const op of after) this.#runAfter(op);
  }

  #runAfter(op: () => void): void {
    try {
      op();
    } catch (err) {
      this.#log?.error(`STREAM: file store: ${(err as Error).message}`);
    }
  }

  /** Writes a rewrite's content to a temp file (synced in the sync phase). */
  #stage(r: Rewrite): Staged {
    const content = r.content();
    r.file.dropPending();
    const tmp = join(r.tmpDir, `${basename(r.file.path, '.dat')}.${process.pid}.${++tmpCounter}.tmp`);
    const file = fileIo().open(tmp, true);
    let size: number;
    try {
      size = file.write(content, 0);
    } catch (err) {
      file.close();
      throw err;
    }
    return { rewrite: r, tmp, file, size };
  }

  /** Waits for everything, then commits what is left. */
  async close(): Promise<void> {
    for (;;) {
      if (this.#inflight) {
        await this.#inflight.catch(() => {});
        continue;
      }
      if (this.#failed || !this.#hasWork()) break;
      await this.flush();
    }
  }
}

interface Staged {
  rewrite: Rewrite;
  tmp: string;
  file: StoreFile;
  size: number;
}

