// Reloading the configuration files on SIGHUP (issue 6): the `-c` and `-sc`
// files are read again, the options rebuilt as at startup (defaults < files
// < the original command line), compared with the running ones
// (config/changes.ts describes each difference), and what can change at
// run time is handed to the server it belongs to:
//   - authorization (users, passwords, tokens, permissions, no_auth_user):
//     NatsServer.setAuth; new connections are checked against the new
//     settings, connections already logged in keep their login and
//     permissions (nats-server 2.9 instead re-checks them and closes those
//     no longer authorized);
//   - store limits, global and per channel: StanServer.setStoreLimits;
//     every existing channel gets its new effective limits at once
//     (dropping its oldest messages beyond them), new channels get them
//     when created;
//   - the routes of the cluster (added ones are solicited, removed ones
//     closed and no longer dialled): Cluster.addRoute/removeRoute;
//   - log levels (debug, trace, stan_debug, stan_trace), through
//     ReloadContext.setLogLevels (the logger's setLevels).
// Anything else that changed (ports, hosts, TLS, cluster ID, store type or
// directory, heartbeats...) is refused: an error is logged and the server
// keeps running with the old value. A file that cannot be read or has an
// error changes nothing; the error (with file:line:col) is logged.
// Go's nats-streaming-server reloads only the embedded NATS server's file
// (§7.4); this goes further for limits.

import { isDeepStrictEqual } from 'node:util';
import {
  cannotChange,
  type ConfigChange,
  type ConfigSnapshot,
  describeChanges,
  describeOption,
  type LevelKey,
  type OptionChange,
} from '../config/changes.js';
import type { ParsedFlags } from '../config/flag-table.js';
import type { Logger, LoggerOptions } from '../log/logger.js';
import type { AuthOptions } from '../nats/auth.js';
import type { NatsOptions } from '../nats/options.js';
import type { NatsServer } from '../nats/server.js';
import type { StoreLimits } from '../stores/store.js';
import { stanOptions } from '../streaming/options.js';
import type { StanServer } from '../streaming/server.js';
import type { LoadedConfig } from './config-files.js';

/** The configuration as built at startup and on each reload. */
export interface Configured {
  loaded: LoadedConfig;
  built: { nats: NatsOptions; log: LoggerOptions };
}

export interface ReloadContext {
  /** The command line, which still wins over the files. */
  readonly flags: ParsedFlags;
  /** Reads the files and builds the options as startup does; throws the message to log. */
  readonly configure: () => Configured;
  /** The embedded NATS server; undefined with -ns. */
  readonly nats: NatsServer | undefined;
  readonly stan: StanServer;
  readonly log: Logger;
  /** Applies changed log levels; without it such changes are refused. */
  readonly setLogLevels?: (levels: Partial<Record<LevelKey, boolean>>) => void;
}

/** What a reload did, one line per item (also logged). */
export interface ReloadReport {
  applied: string[];
  refused: string[];
  /** Set when the files could not be used: nothing changed. */
  error?: string;
}

/** The streaming layer's log prefix; applied items starting with it are logged with it. */
const STREAM = 'STREAM: ';

/** Which parts of the authorization changed, without showing any secret. */
export function describeAuth(a: AuthOptions, b: AuthOptions): string {
  const parts: string[] = [];
  const users = (o: AuthOptions) => new Map((o.users ?? []).map((u) => [u.user, u]));
  const [ua, ub] = [users(a), users(b)];
  const added = [...ub.keys()].filter((u) => !ua.has(u));
  const removed = [...ua.keys()].filter((u) => !ub.has(u));
  const changed = [...ub.keys()].filter((u) => ua.has(u) && !isDeepStrictEqual(ua.get(u), ub.get(u)));
  if (added.length > 0) parts.push(`users added: ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`users removed: ${removed.join(', ')}`);
  if (changed.length > 0) parts.push(`users changed: ${changed.join(', ')}`);
  if (a.user !== b.user || a.password !== b.password) parts.push('user/password');
  if (a.token !== b.token) parts.push('token');
  if (!isDeepStrictEqual(a.defaultPermissions, b.defaultPermissions)) parts.push('default permissions');
  if (a.noAuthUser !== b.noAuthUser) parts.push('no_auth_user');
  if (a.timeoutMs !== b.timeoutMs) parts.push('timeout');
  return parts.length === 0 ? 'authorization' : `authorization (${parts.join('; ')})`;
}

function snapshot(c: Configured): ConfigSnapshot {
  return { built: c.built, natsSources: c.loaded.nats?.sources, stan: c.loaded.stan };
}

export class ConfigReloader {
  readonly #ctx: ReloadContext;
  /** The configuration started with, with the reloaded auth and log options (store limits: the server's). */
  readonly #current: Configured;

  constructor(ctx: ReloadContext, initial: Configured) {
    this.#ctx = ctx;
    this.#current = { loaded: initial.loaded, built: { ...initial.built, nats: { ...initial.built.nats }, log: { ...initial.built.log } } };
  }

  /** Reads the files again and applies what can change at runtime; logs each item. */
  reload(): ReloadReport {
    const { log, flags, stan } = this.#ctx;
    log.info('Reloading server configuration');
    let next: Configured;
    let limits: StoreLimits;
    try {
      next = this.#ctx.configure();
      limits = stanOptions(flags, next.loaded.stan).storeLimits;
    } catch (err) {
      const error = (err as Error).message;
      log.error(`Failed to reload server configuration, keeping the current one: ${error}`);
      return { applied: [], refused: [], error };
    }
    const report: ReloadReport = { applied: [], refused: [] };
    // Limits compare with those in force (earlier reloads may have changed them).
    const changes = describeChanges(snapshot(this.#current), snapshot(next), flags, { inForce: stan.channels.limits, next: limits });
    for (const change of changes) this.#apply(change, report);
    for (const line of report.applied) {
      log.info(line.startsWith(STREAM) ? `${STREAM}Reloaded: ${line.slice(STREAM.length)}` : `Reloaded: ${line}`);
    }
    for (const line of report.refused) log.error(`Reload refused: ${line}`);
    log.info(`Reloaded server configuration${report.applied.length === 0 ? ' (nothing applied)' : ''}`);
    return report;
  }

  #apply(change: ConfigChange, report: ReloadReport): void {
    switch (change.kind) {
      case 'refused':
        report.refused.push(change.text);
        return;
      case 'auth':
        this.#setAuth(change.from as AuthOptions, change.to as AuthOptions, report);
        return;
      case 'logLevels':
        this.#setLogLevels(change.changes, report);
        return;
      case 'routes':
        this.#setRoutes(change.from, change.to, report);
        return;
      case 'storeLimits':
        this.#ctx.stan.setStoreLimits(change.limits);
        for (const line of change.lines) report.applied.push(`${STREAM}${line}`);
    }
  }

  #setAuth(a: AuthOptions, b: AuthOptions, report: ReloadReport): void {
    const { nats } = this.#ctx;
    if (nats === undefined) {
      report.refused.push(`${describeAuth(a, b)}: there is no embedded NATS server to apply it to (-ns)`);
      return;
    }
    try {
      nats.setAuth(b);
    } catch (err) {
      report.refused.push(`${describeAuth(a, b)}: ${(err as Error).message}`);
      return;
    }
    this.#current.built.nats.auth = b;
    report.applied.push(describeAuth(a, b));
  }

  /** Solicits the routes added, closes and forgets those removed (nats-server's reload of `routes`). */
  #setRoutes(from: readonly string[], to: readonly string[], report: ReloadReport): void {
    const cluster = this.#ctx.nats?.cluster;
    const added = to.filter((u) => !from.includes(u));
    const removed = from.filter((u) => !to.includes(u));
    const what = `cluster routes (${[added.length ? `added: ${added.join(', ')}` : '', removed.length ? `removed: ${removed.join(', ')}` : ''].filter(Boolean).join('; ')})`;
    if (cluster === undefined) {
      report.refused.push(`${what}: this server runs no cluster`);
      return;
    }
    for (const u of removed) cluster.removeRoute(u);
    for (const u of added) cluster.addRoute(u);
    this.#current.built.nats.cluster = { ...this.#current.built.nats.cluster!, routes: [...to] };
    report.applied.push(what);
  }

  #setLogLevels(changes: readonly OptionChange[], report: ReloadReport): void {
    const { setLogLevels } = this.#ctx;
    if (setLogLevels === undefined) {
      for (const c of changes) report.refused.push(cannotChange(`log option ${c.key}`, c.from, c.to));
      return;
    }
    const levels: Partial<Record<LevelKey, boolean>> = {};
    for (const c of changes) levels[c.key as LevelKey] = c.to === true;
    setLogLevels(levels);
    Object.assign(this.#current.built.log, levels);
    report.applied.push(`log levels (${changes.map(describeOption).join(', ')})`);
  }
}
