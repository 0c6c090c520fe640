// Where each key of a parsed map was written, kept beside the value tree so
// the maps stay plain objects. Option loaders use it for messages such as
// "unknown key `foo` at file:line:col, did you mean `bar`?".

import type { ConfigMap, ConfigPosition, ConfigValue } from './types.js';

const keyPositions = new WeakMap<ConfigMap, Map<string, ConfigPosition>>();

/** Where `key` of `map` was written, or undefined for a map the parser did not make. */
export function keyPosition(map: ConfigMap, key: string): ConfigPosition | undefined {
  return keyPositions.get(map)?.get(key);
}

/** `file:line:column`, the prefix used by every ConfigSyntaxError. */
export function formatPosition(pos: ConfigPosition): string {
  return `${pos.file}:${pos.line}:${pos.column}`;
}

/**
 * Sets `map[key] = value` and records where the key was written. A later
 * definition of the same key replaces the value and its position, as in
 * nats-server. `__proto__` is defined as an own property, never a prototype.
 */
export function defineKey(
  map: ConfigMap,
  key: string,
  value: ConfigValue,
  pos: ConfigPosition | undefined,
): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    map[key] = value;
  }
  let positions = keyPositions.get(map);
  if (positions === undefined) {
    positions = new Map();
    keyPositions.set(map, positions);
  }
  if (pos === undefined) positions.delete(key);
  else positions.set(key, pos);
}

/** True if `map` has its own key `key` (the maps may contain `__proto__` etc.). */
export function hasKey(map: ConfigMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}
