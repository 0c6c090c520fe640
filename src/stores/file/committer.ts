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
//
// A commit that fails (a full disk, EIO, EROFS, a failed fsync) latches
// the store failed: every flush rejects, writes that need an answer are
// refused (failure), nothing is reported durable. Nothing is forgotten
// either: each file keeps the bytes written since its last good sync
// (AppendFile.rewind), and rewrites, directory syncs and after-durable
// work are queued again. A retry with back-off (commit-retry.ts) rewinds
// the files and commits everything again; once it succeeds the store
// takes writes again, with a log line either way.

import { performance } from 'node:perf_hooks';
import { renameSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StoreError } from '../store.js';
import type { CommitLatency, StoreLog } from './options.js';
import type { AppendFile } from './append-file.js';
import { fileIo, type StoreFile } from './io.js';
import { CommitRetry, type RetryPolicy } from './commit-retry.js';

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

/** What a commit took from the queues: given back if it fails. */
interface InFlight {
  rewrites: Rewrite[];
  staged: Staged[];
  after: (() => void)[];
  dirs: string[];
  files: AppendFile[];
}

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
  /** Files holding bytes written since their last good sync (what a failure rewinds). */
  readonly #kept = new Set<AppendFile>();
  #current: InFlight | undefined;
  readonly #retry: CommitRetry;
  /** A retry's commit is running (the store stays failed until it succeeds). */
  #retrying = false;

  readonly #latency: CommitLatency | undefined;

  constructor(doSync: boolean, log?: StoreLog, latency?: CommitLatency, retry: RetryPolicy = { retryMs: 1000, retryMaxMs: 30_000 }) {
    this.#doSync = doSync;
    this.#log = log;
    this.#latency = latency;
    this.#retry = new CommitRetry(retry, log);
  }

  /**
   * The error writes that need an answer (a message, a subscription, a
   * client) are refused with while the store is failed; undefined when it
   * takes writes.
   */
  get failure(): StoreError | undefined {
    return this.#failure;
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
    if (p === undefined) {
      this.#current = undefined;
      return undefined;
    }
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
    this.#current = undefined;
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
   * may or may not be on disk, so nothing is reported durable until a
   * retry wrote it all again: every flush, the one that saw it and all
   * later ones, rejects with the same StoreError, and writes that need an
   * answer are refused (failure).
   */
  #fail(err: Error): StoreError {
    if (this.#failure && !this.#retrying) return this.#failure;
    this.#retrying = false;
    this.#requeue();
    this.#failed = err;
    this.#failure = new StoreError(`file store failed: ${err.message}`, { cause: err });
    this.#retry.failed(err, () => this.#tryAgain());
    return this.#failure;
  }

  /** Gives back what the failed commit took from the queues, so a retry does it all. */
  #requeue(): void {
    const c = this.#current;
    this.#current = undefined;
    if (c === undefined) return;
    for (const st of c.staged) {
      try {
        st.file.close();
        unlinkSync(st.tmp);
      } catch {
        // A temp file left behind is removed at the next start (FileStore recover).
      }
    }
    this.#rewrites = [...c.rewrites, ...this.#rewrites];
    for (const r of c.rewrites) this.#rewriting.add(r.file);
    this.#after = [...c.after, ...this.#after];
    for (const d of c.dirs) this.#dirs.add(d);
    for (const f of c.files) {
      if (f.dead || f.pendingBytes === 0) continue;
      this.#dirty.add(f);
      this.#kept.add(f); // its write failed, maybe half done: cut back too
    }
  }

  /**
   * The retry: every file goes back to its last good sync and everything
   * since is committed (and synced) again. Success clears the failure.
   */
  #tryAgain(): void {
    if (this.#failure === undefined) return;
    if (this.#inflight) return this.#retry.schedule(() => this.#tryAgain());
    this.#retry.attempt();
    const failure = this.#failure;
    // Still failed while the retry runs: nothing new is taken, or answered, before it succeeded.
    this.#retrying = true;
    try {
      for (const f of this.#kept) {
        f.rewind();
        this.#kept.delete(f);
        if (!f.dead) this.dirty(f);
      }
    } catch (err) {
      this.#fail(err as Error);
      return;
    }
    const p = this.#start(true);
    const resumed = (): void => {
      this.#retrying = false;
      this.#failure = undefined;
      this.#failed = undefined;
      this.#retry.succeeded(failure);
    };
    if (p === undefined) resumed();
    else p.then(resumed, () => {}); // #fail logged it and scheduled the next try
  }

  /** The write phase (synchronous); returns the sync phase, if there is one. */
  #commit(forceSync: boolean): Promise<void> | void {
    const rewrites = this.#rewrites;
    this.#rewrites = [];
    const after = this.#after;
    this.#after = [];
    const dirs = [...this.#dirs];
    this.#dirs.clear();
    const files = [...this.#dirty];
    this.#dirty.clear();
    const staged: Staged[] = [];
    this.#current = { rewrites, staged, after, dirs, files };
    // Snapshots first: they include every record appended so far, so the
    // pending bytes of a rewritten file are dropped, not written.
    for (const r of rewrites) staged.push(this.#stage(r));
    this.#rewriting.clear();
    const sync = this.#doSync || forceSync;
    const started = this.#latency ? performance.now() : 0;
    for (const f of files) {
      if (f.dead) continue;
      if (f.writePending() > 0) {
        // Kept until synced; without a sync, written is as far as it goes.
        if (sync) this.#kept.add(f);
        else f.synced();
      }
      this.#unsynced.add(f);
    }
    if (this.#latency && files.length > 0) this.#latency.write((performance.now() - started) / 1000);
    this.epoch++;
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
    const synced: AppendFile[] = [];
    if (sync) {
      for (const f of this.#unsynced) {
        f.unsynced = false;
        synced.push(f);
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
    for (const f of synced) {
      f.synced();
      this.#kept.delete(f);
    }
    // Each rename done is a rewrite done; one cut short is staged again by the retry.
    const current = this.#current;
    const renamedDirs = new Set<string>();
    while (staged.length > 0) {
      const s = staged[0]!;
      renameSync(s.tmp, s.rewrite.file.path);
      staged.shift();
      current?.rewrites.splice(current.rewrites.indexOf(s.rewrite), 1);
      s.rewrite.file.replaceFile(s.file, s.size);
      this.#kept.delete(s.rewrite.file);
      s.rewrite.done?.();
      renamedDirs.add(s.rewrite.file.dir);
      dirs.push(s.rewrite.file.dir); // synced again by a retry if the sync below fails
    }
    if (renamedDirs.size > 0) await fileIo().sync([], [...renamedDirs], false);
    if (current !== undefined) current.after = [];
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
      try {
        unlinkSync(tmp);
      } catch {
        // Removed at the next start (FileStore recover).
      }
      throw err;
    }
    return { rewrite: r, tmp, file, size };
  }

  /**
   * Waits for everything, then commits what is left. Never throws: a
   * store failed at the end has logged why, and what it could not write
   * was never acknowledged.
   */
  async close(): Promise<void> {
    this.#retry.stop();
    for (;;) {
      if (this.#inflight) {
        await this.#inflight.catch(() => {});
        continue;
      }
      if (this.#failure || !this.#hasWork()) break;
      await (this.flush() ?? undefined)?.catch(() => {});
    }
    // Failed: each file is cut back to its last good sync, so no torn
    // record stops the next start, and no unsure data stays behind it.
    if (this.#failure) {
      for (const f of this.#kept) {
        try {
          f.rewind();
        } catch {
          // The next start settles the tail (tail.ts).
        }
      }
      this.#kept.clear();
    }
  }
}

interface Staged {
  rewrite: Rewrite;
  tmp: string;
  file: StoreFile;
  size: number;
}

