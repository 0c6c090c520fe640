// Dialling routes (nats-server 2.9's connectToRoute and reConnectToRoute):
// an explicit route (listed in `routes`) is tried until it connects, and
// again whenever it is lost; an implicit one (learned by gossip) gets
// `connect_retries` more attempts. The wait between attempts starts at the
// reconnect delay and doubles up to its maximum, reset by a connection.

import { connect, type Socket } from 'node:net';
import type { Logger } from '../../log/logger.js';

export interface SolicitTarget {
  readonly url: URL;
  readonly explicit: boolean;
  /** Failed attempts since the last connection. */
  attempts: number;
  /** The server this URL led to, once known (to reconnect when its route is lost). */
  remoteId: string | undefined;
  /** An attempt or a wait is in progress. */
  busy: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface SolicitPolicy {
  readonly log: Logger;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly connectRetries: number;
  running(): boolean;
  /** Called with the connected socket. */
  connected(t: SolicitTarget, socket: Socket): void;
}

/** Dials `t` now (or after `waitMs`), retrying as the policy says. */
export function solicit(p: SolicitPolicy, t: SolicitTarget, waitMs = 0): void {
  if (t.busy || !p.running()) return;
  t.busy = true;
  const attempt = (): void => {
    t.timer = undefined;
    if (!p.running()) {
      t.busy = false;
      return;
    }
    const host = t.url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(t.url.port || 6222);
    p.log.debug(`Trying to connect to route on ${t.url.host} (${host}:${port})`);
    const socket = connect({ host, port, noDelay: true });
    const fail = (err: Error): void => {
      socket.destroy();
      t.attempts++;
      const text = `Error trying to connect to route (attempt ${t.attempts}): ${err.message}`;
      if (t.attempts === 1) p.log.error(text);
      else p.log.debug(text);
      if (!t.explicit && t.attempts > p.connectRetries) {
        t.busy = false;
        return;
      }
      t.timer = setTimeout(attempt, backoff(p, t.attempts));
      t.timer.unref();
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      t.attempts = 0;
      t.busy = false;
      p.connected(t, socket);
    });
  };
  if (waitMs > 0) {
    t.timer = setTimeout(attempt, waitMs);
    t.timer.unref();
  } else {
    attempt();
  }
}

/** The wait before attempt `attempts + 1`. */
export function backoff(p: SolicitPolicy, attempts: number): number {
  return Math.min(p.maxDelayMs, p.delayMs * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

export function cancel(t: SolicitTarget): void {
  if (t.timer !== undefined) clearTimeout(t.timer);
  t.timer = undefined;
  t.busy = false;
}
