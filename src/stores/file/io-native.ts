// The FILE store's I/O through the Rust addon (native/src/slice_io.rs):
// a commit writes each file's batch with one call (one pwritev), and the
// fdatasyncs of all its files plus the directory fsyncs run as one job on
// a libuv worker thread, settling one Promise; readAsync is one pread on
// a worker thread.

import type { NativeFile, NativeFileApi } from '../../core/index.js';
import type { FileIo, StoreFile } from './io.js';

class NativeStoreFile implements StoreFile {
  constructor(
    private readonly api: NativeFileApi,
    readonly handle: NativeFile,
  ) {}
  write(views: readonly Uint8Array[], pos: number): number {
    return this.api.fileWrite(this.handle, views, pos);
  }
  read(buf: Uint8Array, off: number, len: number, pos: number): number {
    return this.api.fileRead(this.handle, buf, off, len, pos);
  }
  readAsync(buf: Uint8Array, off: number, len: number, pos: number): Promise<number> {
    try {
      return this.api.fileReadAsync(this.handle, buf, off, len, pos);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  size(): number {
    return this.api.fileSize(this.handle);
  }
  truncate(len: number): void {
    this.api.fileTruncate(this.handle, len);
  }
  datasyncNow(): void {
    this.api.fileDatasync(this.handle);
  }
  close(): void {
    this.api.fileClose(this.handle);
  }
}

export class NativeIo implements FileIo {
  readonly kind = 'native' as const;
  constructor(private readonly api: NativeFileApi) {}
  open(path: string, create: boolean): StoreFile {
    return new NativeStoreFile(this.api, this.api.fileOpen(path, create));
  }
  sync(files: readonly StoreFile[], dirs: readonly string[], dataOnly: boolean): Promise<void> {
    return this.api.fileSync(
      files.map((f) => (f as NativeStoreFile).handle),
      dirs,
      dataOnly,
    );
  }
}
