// Turns the token stream of lexer.ts into a value tree (STAN-REFERENCE §7.5),
// as nats-server's conf/parse.go (v2.9) does: converts numbers, booleans and
// datetimes, resolves `$variables` through the enclosing map scopes and then
// the environment, merges `include`d files, and records key positions.

import { ConfigSyntaxError } from './errors.js';
import { loadInclude, type ParseState } from './include.js';
import { Lexer } from './lexer.js';
import { defineKey, hasKey, keyPosition } from './positions.js';
import { Source } from './source.js';
import { boolWord, TokenType, type Token } from './tokens.js';
import type { ConfigMap, ConfigValue } from './types.js';
import { scaleInteger } from './units.js';

/**
 * Unquoted values starting with `$2a$` are bcrypt hashes (as printed by
 * nats-server's mkpasswd), not variables. conf checks the name after `$`.
 */
const BCRYPT_PREFIX = '2a$';
/** Key under which an environment value is re-parsed, as `pk=<value>`. */
const ENV_KEY = 'pk';
const INTEGER_RE = /^(-?[0-9]+)(.*)$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Parses `src` into a map. Throws ConfigSyntaxError. */
export function parseSource(src: Source, state: ParseState): ConfigMap {
  return new Parser(src, state).parse();
}

class Parser {
  readonly #src: Source;
  readonly #state: ParseState;
  readonly #lexer: Lexer;
  /** Maps being filled, outermost first; `$NAME` looks them up innermost first. */
  readonly #scopes: ConfigMap[] = [];

  constructor(src: Source, state: ParseState) {
    this.#src = src;
    this.#state = state;
    this.#lexer = new Lexer(src);
  }

  parse(): ConfigMap {
    const root: ConfigMap = {};
    this.#scopes.push(root);
    for (let tok = this.#lexer.next(); tok.type !== TokenType.EOF; tok = this.#lexer.next()) {
      this.#entry(root, tok);
    }
    this.#scopes.pop();
    return root;
  }

  /** A key and its value, or an include, inside `map`. */
  #entry(map: ConfigMap, tok: Token): void {
    if (tok.type === TokenType.Key) {
      const value = this.#value(this.#lexer.next());
      defineKey(map, tok.text, value, this.#src.position(tok.offset));
    } else if (tok.type === TokenType.Include) {
      const included = loadInclude(tok, this.#src, this.#state, parseSource);
      for (const key of Object.keys(included)) {
        defineKey(map, key, included[key] as ConfigValue, keyPosition(included, key));
      }
    } else {
      throw this.#unexpected(tok);
    }
  }

  #map(): ConfigMap {
    const map: ConfigMap = {};
    this.#scopes.push(map);
    for (let tok = this.#lexer.next(); tok.type !== TokenType.MapEnd; tok = this.#lexer.next()) {
      this.#entry(map, tok);
    }
    this.#scopes.pop();
    return map;
  }

  #array(): ConfigValue[] {
    const array: ConfigValue[] = [];
    for (let tok = this.#lexer.next(); tok.type !== TokenType.ArrayEnd; tok = this.#lexer.next()) {
      array.push(this.#value(tok));
    }
    return array;
  }

  #value(tok: Token): ConfigValue {
    switch (tok.type) {
      case TokenType.String:
        return tok.text;
      case TokenType.Bool:
        return boolWord(tok.text) as boolean;
      case TokenType.Integer:
        return this.#integer(tok);
      case TokenType.Float:
        return this.#float(tok);
      case TokenType.Datetime:
        return this.#datetime(tok);
      case TokenType.Variable:
        return this.#variable(tok);
      case TokenType.ArrayStart:
        return this.#array();
      case TokenType.MapStart:
        return this.#map();
      default:
        throw this.#unexpected(tok);
    }
  }

  #integer(tok: Token): number {
    const m = INTEGER_RE.exec(tok.text);
    const value = m === null ? undefined : scaleInteger(m[1] as string, m[2] as string);
    if (value === undefined) throw this.#src.error(tok.offset, `integer '${tok.text}' is out of the range`);
    return value;
  }

  #float(tok: Token): number {
    const value = Number(tok.text);
    if (!Number.isFinite(value)) throw this.#src.error(tok.offset, `float '${tok.text}' is out of the range`);
    return value;
  }

  /** A Zulu datetime; like Go's time.Parse, out-of-range fields are rejected. */
  #datetime(tok: Token): Date {
    const f = (DATETIME_RE.exec(tok.text) ?? []).slice(1).map(Number);
    const [year, month, day, hour, minute, second] = f as [number, number, number, number, number, number];
    // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as written.
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
    const valid =
      f.length === 6 &&
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day &&
      date.getUTCHours() === hour &&
      date.getUTCMinutes() === minute &&
      date.getUTCSeconds() === second;
    if (!valid) throw this.#src.error(tok.offset, `expected Zulu formatted DateTime, but got '${tok.text}'`);
    return date;
  }

  /**
   * `$NAME`: a key defined earlier in this map or an enclosing one (innermost
   * first; arrays are not scopes), else the environment variable NAME, whose
   * text is parsed as a value (`"42"` is the integer 42).
   */
  #variable(tok: Token): ConfigValue {
    const name = tok.text;
    if (name.startsWith(BCRYPT_PREFIX)) return `$${name}`;
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const scope = this.#scopes[i] as ConfigMap;
      if (hasKey(scope, name)) return scope[name] as ConfigValue;
    }
    const env = this.#state.env;
    const raw = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
    if (raw === undefined) {
      throw this.#src.error(tok.offset, `variable reference for '${name}' can not be found`);
    }
    const chain = this.#state.envChain;
    if (chain.includes(name)) {
      const cycle = [...chain, name].map((n) => `$${n}`).join(' -> ');
      throw this.#src.error(tok.offset, `variable reference for '${name}' is circular: ${cycle}`);
    }
    if (raw.trim() === '') return '';
    try {
      const src = new Source(`${ENV_KEY}=${raw}`, `$${name}`);
      const parsed = parseSource(src, { ...this.#state, envChain: [...chain, name] });
      return parsed[ENV_KEY] ?? '';
    } catch (err) {
      if (!(err instanceof ConfigSyntaxError)) throw err;
      throw this.#src.error(tok.offset, `variable reference for '${name}' could not be parsed: ${err.reason}`, {
        cause: err,
      });
    }
  }

  /** The lexer only emits well-formed sequences; anything else is a bug here. */
  #unexpected(tok: Token): ConfigSyntaxError {
    return this.#src.error(tok.offset, `internal error: unexpected ${tok.type} token`);
  }
}
