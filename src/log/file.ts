// The `-l FILE` destination: appends (mode 0640, as nats-server), reopens
// the path on SIGUSR1 for logrotate, and with `--log_size_limit` rotates
// the file itself the way nats-server's fileLogger does: once a write takes
// it past the limit, the file is renamed `<file>.YYYY.MM.DD.hh.mm.ss.nnnnnnnnn`
// and a new one starts with a line naming the backup.
//
// The writes go through pino's destination (sonic-boom) in its default sync
// mode: each line reaches the OS before the call returns, as Go's file
// logger does, so a crash loses nothing and a reopen or a rotation cuts the
// stream at an exact line.

import { renameSync, statSync } from 'node:fs';
import type { SonicBoom } from 'sonic-boom';
import { loadPino } from './pino.js';

/** nats-server's defaultLogPerms. */
const LOG_FILE_MODE = 0o640;

export interface FileOutputOptions {
  /** Rotate once the file passes this many bytes (0: never). */
  sizeLimit?: number;
  /**
   * Writes the note that starts a rotated file (the logger formats it as
   * an INF line); called after the switch to the new file.
   */
  onRotated?: (backup: string) => void;
  /** Where failures to reopen or rotate are reported. */
  onError?: (message: string) => void;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** nats-server's backup suffix: local time down to the nanosecond. */
function backupName(file: string, now: Date, nanos: number): string {
  return (
    `${file}.${now.getFullYear()}.${pad(now.getMonth() + 1)}.${pad(now.getDate())}.` +
    `${pad(now.getHours())}.${pad(now.getMinutes())}.${pad(now.getSeconds())}.${pad(nanos, 9)}`
  );
}

export class FileOutput {
  readonly #boom: SonicBoom;
  readonly #limit: number;
  /** Size past which the next write rotates: the limit, or more after a failed rotation. */
  #rotateAt: number;
  readonly #onRotated: ((backup: string) => void) | undefined;
  readonly #onError: (message: string) => void;
  #size: number;
  #rotating = false;
  #closing: Promise<void> | undefined;

  /** Opens (creating) the file for appending; throws if it cannot. */
  constructor(
    readonly path: string,
    o: FileOutputOptions = {},
  ) {
    this.#boom = loadPino().destination({ dest: path, sync: true, append: true, mkdir: false, mode: LOG_FILE_MODE });
    this.#limit = this.#rotateAt = o.sizeLimit ?? 0;
    this.#onRotated = o.onRotated;
    this.#onError = o.onError ?? ((m) => process.stderr.write(`${m}\n`));
    this.#size = statSync(path).size;
    // The first line past the limit rotates a file that is already too big.
  }

  /** Bytes in the current file, as far as this process knows. */
  get size(): number {
    return this.#size;
  }

  write(text: string): void {
    if (this.#closing !== undefined) return; // a line logged during exit
    this.#boom.write(text);
    this.#size += Buffer.byteLength(text);
    if (this.#rotateAt > 0 && this.#size > this.#rotateAt && !this.#rotating) this.#rotate();
  }

  /**
   * Opens the path again (after logrotate renamed the file); true on
   * success. Lines keep going to the old file if the path cannot be opened.
   */
  reopen(): boolean {
    try {
      this.#boom.reopen();
      this.#size = statSync(this.path).size;
      return true;
    } catch (err) {
      this.#onError(`Unable to re-open the logfile ${JSON.stringify(this.path)}: ${(err as Error).message}`);
      return false;
    }
  }

  #rotate(): void {
    this.#rotating = true;
    try {
      const now = new Date();
      // Date has milliseconds; the monotonic clock fills in the rest.
      const nanos = now.getMilliseconds() * 1e6 + Number(process.hrtime.bigint() % 1_000_000n);
      const backup = backupName(this.path, now, nanos);
      renameSync(this.path, backup);
      if (this.reopen()) {
        this.#rotateAt = this.#limit;
        this.#onRotated?.(backup);
      } else {
        this.#rotateAt = this.#size * 2;
      }
    } catch (err) {
      // As nats-server when it cannot close the file: try again at twice the size.
      this.#rotateAt = this.#size * 2;
      this.#onError(`Unable to rotate logfile ${JSON.stringify(this.path)} (${(err as Error).message}), will attempt next rotation at size ${this.#rotateAt}`);
    } finally {
      this.#rotating = false;
    }
  }

  /** Closes the file once everything written has reached it. */
  close(): Promise<void> {
    const boom = this.#boom;
    if (this.#closing !== undefined) return this.#closing;
    return (this.#closing = new Promise((resolve) => {
      boom.once('close', () => resolve());
      boom.once('error', () => resolve());
      boom.end();
    }));
  }
}
