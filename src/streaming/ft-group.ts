// Starting a server as a member of an FT group (--ft_group NAME or the
// config's ft_group; STAN-REFERENCE §8.1): the checks the Go server makes
// (FILE or SQL stores only), then standby (ft.ts) until this member holds
// the store's lock, when `serve` recovers the store and answers clients.
// A fatal error ends the process, as the Go server's panic (split brain,
// exit code 2) or Fatalf (a failed recovery, exit code 1) does.

import type { Logger } from '../log/logger.js';
import { realClock } from './clock.js';
import { FtMember, type FtDeps } from './ft.js';
import type { StanServer } from './server.js';

/** Test timings (never from a flag: Go does not expose them either). */
export interface FtTimings {
  hbIntervalMs?: number;
  missedMs?: number;
}

/** The Go server's ftSetup check of the store type; undefined when the store can join a group. */
export function ftStoreError(storeType: string): string | undefined {
  return storeType === 'FILE' || storeType === 'SQL' ? undefined : 'ft: only FILE or SQL stores supported in FT mode';
}

/** Ends the process after a fatal FT error, once the line is written. */
function exitProcess(log: Logger): FtDeps['fatal'] {
  return (err, code) => {
    log.error(`STREAM: ${err.message}`);
    // stderr is synchronous for files and pipes: the line is out.
    process.exit(code);
  };
}

/**
 * Makes `server` a standby member of `group` and returns at once; `serve`
 * runs once this member is active. Throws for a store that cannot be shared.
 */
export function startInStandby(
  server: StanServer,
  group: string,
  serve: () => Promise<void>,
  o: { timings?: FtTimings; fatal?: FtDeps['fatal'] } = {},
): FtMember {
  const why = ftStoreError(server.store.type);
  if (why !== undefined) throw new Error(why);
  const member = new FtMember(
    { group, clusterId: server.opts.clusterId, serverId: server.serverId, ...o.timings },
    {
      transport: server.transport,
      lock: () => server.store.lock(),
      activate: serve,
      fatal: o.fatal ?? exitProcess(server.log),
      log: server.log,
      clock: realClock,
    },
  );
  server.ft = member;
  member.start();
  return member;
}
