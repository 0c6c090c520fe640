// Value types produced by the configuration parser (STAN-REFERENCE §7.5).

/** Any value a configuration file can hold. Integers and floats are both `number`. */
export type ConfigValue = string | number | boolean | Date | ConfigValue[] | ConfigMap;

/** A `{ ... }` block, or a whole file. Keys are kept exactly as written. */
export interface ConfigMap {
  [key: string]: ConfigValue;
}

/** Where something was written: file (or `<string>`), 1-based line and column. */
export interface ConfigPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Options shared by `parseConfig` and `loadConfigFile`. */
export interface ParseOptions {
  /**
   * Name used in error messages and key positions, and whose directory
   * relative `include` paths are resolved against. Defaults to `<string>`
   * (includes then resolve against the current directory).
   */
  file?: string;
  /** Environment used to resolve `$NAME` references. Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
}
