// The options of an embedded server: the configuration file's keys, typed,
// with the same names (STAN-REFERENCE §7), so that what a config file says
// is what `startServer()` takes. They go through the same reader as a
// file (a JSON text is a valid configuration text), so their checks and
// error messages are the file's, placed at `<options>`.

import { parseConfig } from '../config/index.js';
import type { LoadedConfig } from '../cli/config-files.js';
import { stanOptionsFromConfig } from '../config/stan-options.js';
import { natsOptionsFromConfig } from '../nats/config-options.js';

/** A duration as the config file writes it: `"30s"`, `"1h30m"`, or a number of seconds. */
export type Duration = string | number;
/** A size as the config file writes it: `"1MB"`, `"512KB"`, or a number of bytes. */
export type Size = string | number;

/** Limits of one channel (`store_limits.channels.<name>`). */
export interface ChannelLimitsOptions {
  max_msgs?: number;
  max_bytes?: Size;
  max_age?: Duration;
  max_subs?: number;
  max_inactivity?: Duration;
}

/** `store_limits`: the defaults of every channel, and per-channel overrides. */
export interface StoreLimitsOptions extends ChannelLimitsOptions {
  max_channels?: number;
  channels?: Record<string, ChannelLimitsOptions>;
}

/** The `streaming { }` block of a configuration file. */
export interface StreamingOptions {
  /** Cluster id (default `test-cluster`). */
  cluster_id?: string;
  discover_prefix?: string;
  /** `memory` (default), `file` or `sql`. */
  store?: 'memory' | 'file' | 'sql' | 'MEMORY' | 'FILE' | 'SQL';
  /** The file store's directory. */
  dir?: string;
  /** Use this NATS server instead of the embedded one. */
  nats_server_url?: string;
  store_limits?: StoreLimitsOptions;
  /** The file store's options (`file_options { }`), as in the config file. */
  file_options?: Record<string, unknown>;
  /** The SQL store's options (`sql_options { }`), as in the config file. */
  sql_options?: Record<string, unknown>;
  hb_interval?: Duration;
  hb_timeout?: Duration;
  hb_fail_count?: number;
  /** Replace a durable subscription whose name is already in use. */
  replace_durable?: boolean;
  /** Streaming debug (`sd`) and trace (`sv`) logs. */
  stan_debug?: boolean;
  stan_trace?: boolean;
  username?: string;
  password?: string;
  token?: string;
  /** Any other key of the streaming block, by its config-file name. */
  [key: string]: unknown;
}

/** The options of `startServer()`: the keys of a configuration file (STAN-REFERENCE §7). */
export interface ServerOptions {
  /** Client port; default -1 here (any free port; the command's default is 4222). */
  port?: number;
  /** Interface to listen on; default `127.0.0.1` here (the command's is 0.0.0.0). */
  host?: string;
  server_name?: string;
  /** Monitoring HTTP port (-1: any free port); none unless given. */
  http_port?: number;
  https_port?: number;
  max_payload?: Size;
  max_connections?: number;
  max_control_line?: Size;
  max_pending?: Size;
  max_subscriptions?: number;
  ping_interval?: Duration;
  ping_max?: number;
  write_deadline?: Duration;
  authorization?: { user?: string; password?: string; token?: string; timeout?: Duration; users?: unknown[] };
  tls?: { cert_file: string; key_file: string; ca_file?: string; verify?: boolean; timeout?: Duration };
  debug?: boolean;
  trace?: boolean;
  logtime?: boolean;
  log_file?: string;
  streaming?: StreamingOptions;
  /** Any other key of the configuration file, by its name. */
  [key: string]: unknown;
}

/** Where the options' errors are placed, as a file name would be. */
export const OPTIONS_SOURCE = '<options>';

/**
 * Reads the options as the configuration file they spell (the embedding
 * defaults first: any free port, the loopback interface). Throws the
 * config reader's errors (NatsConfigError, StanConfigError).
 */
export function loadOptions(options: ServerOptions): LoadedConfig {
  const withDefaults: ServerOptions = { ...options };
  if (withDefaults.port === undefined && withDefaults.listen === undefined) withDefaults.port = -1;
  if (withDefaults.host === undefined && withDefaults.net === undefined && withDefaults.listen === undefined) {
    withDefaults.host = '127.0.0.1';
  }
  let text: string;
  try {
    text = JSON.stringify(withDefaults);
  } catch (err) {
    throw new TypeError(`startServer: the options are not plain data: ${(err as Error).message}`, { cause: err });
  }
  // Every string is quoted in JSON, so no `$NAME` is resolved from the environment.
  const map = parseConfig(text, { file: OPTIONS_SOURCE, env: {} });
  const nats = natsOptionsFromConfig(map, OPTIONS_SOURCE);
  const stan = stanOptionsFromConfig(map, OPTIONS_SOURCE, { keys: nats.streamingKeys });
  return { nats, stan };
}
