// Samples of a server process's resources for the fuzz and soak tests:
// resident memory and open descriptors from /proc/<pid>, the V8 heap from
// its monitoring endpoint's /metrics (prom-client's default metrics).
// Linux only: elsewhere the callers skip.

import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcSample {
  label: string;
  rssMB: number;
  heapMB: number;
  fds: number;
}

/** Whether /proc serves what sample() reads. */
export const haveProc = existsSync(`/proc/${process.pid}/status`) && existsSync(`/proc/${process.pid}/fd`);

function rssMB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function heapMB(httpPort: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  const m = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+?\d+)?)$/m.exec(await res.text());
  return m ? Number(m[1]) / 1e6 : NaN;
}

export async function sampleProcess(label: string, pid: number, httpPort: number): Promise<ProcSample> {
  return { label, rssMB: rssMB(pid), heapMB: await heapMB(httpPort), fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** The samples as a table, one line each. */
export function formatSamples(title: string, samples: ProcSample[]): string {
  const rows = samples.map((s) => `  ${s.label.padEnd(16)} rss ${s.rssMB.toFixed(1).padStart(7)} MB  heap ${s.heapMB.toFixed(1).padStart(7)} MB  fds ${String(s.fds).padStart(4)}`);
  return `${title}\n${rows.join('\n')}`;
}
