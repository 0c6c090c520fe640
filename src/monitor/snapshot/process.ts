// Process figures for /varz and /streaming/serverz: resident memory, CPU
// use (percent of one core over the time since the previous reading, as
// nats-server's pse samples it), and open / maximum file descriptors from
// /proc (Linux only; undefined elsewhere, and then omitted as Go does).

import { readdirSync, readFileSync } from 'node:fs';

/** CPU readings closer together than this reuse the previous figure. */
const CPU_MIN_WINDOW_MS = 1000;

export class ProcessSampler {
  #lastWall = performance.now();
  #lastCpu = process.cpuUsage();
  #pcpu = 0;

  /** %CPU, rounded to 2 decimals like Go's pse output. */
  cpu(): number {
    const now = performance.now();
    const wall = now - this.#lastWall;
    if (wall >= CPU_MIN_WINDOW_MS) {
      const used = process.cpuUsage(this.#lastCpu);
      this.#pcpu = Math.round(((used.user + used.system) / 1000 / wall) * 100 * 100) / 100;
      this.#lastWall = now;
      this.#lastCpu = process.cpuUsage();
    }
    return this.#pcpu;
  }

  rss(): number {
    return process.memoryUsage.rss();
  }

  fds(): { open: number; max: number } | undefined {
    try {
      const open = readdirSync('/proc/self/fd').length;
      const limits = readFileSync('/proc/self/limits', 'utf8');
      const m = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
      const max = m === null || m[1] === 'unlimited' ? 0 : Number(m[1]);
      return { open, max };
    } catch {
      return undefined;
    }
  }
}
