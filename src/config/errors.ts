// Errors raised while reading NATS-style configuration files (STAN-REFERENCE §7.5).
//
// These live next to the config code until the project-wide registry in
// src/errors.ts exists; each class sets `name` and accepts `{ cause }`.

/** Name used in messages when a text is parsed without a file. */
export const STRING_SOURCE = '<string>';

/**
 * A syntax or semantic error at a known place in a configuration file.
 * The message is always `<file>:<line>:<column>: <reason>` (1-based line and
 * column), so it can be shown to users as is and parsed back by editors.
 */
export class ConfigSyntaxError extends Error {
  override name = 'ConfigSyntaxError';
  /** File the error is in, or `<string>` for a text parsed without a file. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in characters (code points). */
  readonly column: number;
  /** What is wrong, without the location prefix. */
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string, options?: ErrorOptions) {
    super(`${file}:${line}:${column}: ${reason}`, options);
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** The top-level configuration file could not be read at all. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
  readonly file: string;

  constructor(file: string, reason: string, options?: ErrorOptions) {
    super(`error opening config file '${file}': ${reason}`, options);
    this.file = file;
  }
}

/** A size or duration text (config value or command-line flag) is malformed. */
export class ConfigValueError extends Error {
  override name = 'ConfigValueError';
  /** The text that was rejected. */
  readonly text: string;

  constructor(text: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.text = text;
  }
}

/**
 * A key of a configuration file whose value cannot be used: the message is
 * `file:line:col: key.path: reason`, as operators see it.
 */
export class ConfigKeyError extends Error {
  override name = 'ConfigKeyError';
  /** `file:line:col` of the key, or the file name alone when unknown. */
  readonly where: string;
  /** The key path as written, e.g. `store_limits.max_msgs`. */
  readonly key: string;
  readonly reason: string;

  constructor(where: string, key: string, reason: string, options?: ErrorOptions) {
    super(`${where}: ${key}: ${reason}`, options);
    this.where = where;
    this.key = key;
    this.reason = reason;
  }
}
