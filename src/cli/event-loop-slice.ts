// The event loop's thread asks the kernel for short time slices (0.1 ms,
// an EEVDF custom slice, Linux 6.12+; native/src/sched_slice.rs), so that
// when a message wakes it up on a busy CPU it preempts the thread running
// there rather than waiting out that thread's slice (1.4 ms here). What
// runs there on a small machine is V8's own workers, compiling the hot
// path during a fresh server's first seconds (at 2,000 msgs/s ~145
// TurboFan jobs, ~0.3 s of CPU in 1-3 ms bursts), and the clients.
// Publish-to-delivery p99 of a fresh server (node-nats-streaming, 2,000
// msgs/s, 5 alternating rounds): 0.91 -> 0.66 ms; core NATS 0.96 -> 0.60.
// The thread's share of the CPU (its nice value) is unchanged, so nothing
// else starves: lowering V8's workers to nice 19 bought the same p99 but
// halved a fresh server's rate on one busy core (its compiles starved).
//
// The command alone does it (an embedding application owns its threads).

import { core } from '../core/index.js';
import type { Logger } from '../log/logger.js';

/** The slice asked for: the kernel's shortest. */
export const EVENT_LOOP_SLICE_NS = 100_000;

/** What requestSlice's codes mean, for the debug log. */
function outcome(code: number | undefined): string {
  switch (code) {
    case undefined:
      return 'not available in this core (WASM)';
    case 0:
      return `in ${EVENT_LOOP_SLICE_NS / 1e6} ms slices`;
    case -1:
      return 'no custom slices on this platform';
    case -2:
      return 'left alone: a scheduling policy other than SCHED_OTHER/SCHED_BATCH';
    case -3:
      return 'no custom slices in this kernel (before Linux 6.12)';
    default:
      return `the kernel refused a custom slice (errno ${code})`;
  }
}

/** Asks for the short slice for the calling (main) thread; logs the outcome at debug level. */
export function shortenEventLoopSlice(log: Pick<Logger, 'debug'>): void {
  let code: number | undefined;
  try {
    code = core().requestSlice?.(EVENT_LOOP_SLICE_NS);
  } catch (err) {
    return log.debug(`Event loop: cannot ask for a custom slice (${(err as Error).message})`);
  }
  log.debug(`Event loop: ${outcome(code)}`);
}
