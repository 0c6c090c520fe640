// NUIDs as the Go and JS NATS clients make them: 22 base62 characters, a
// random 12-character prefix and a 10-character sequence that grows by a
// random increment. Used for inboxes and ids; unique, not secret.

import { randomBytes, randomInt } from 'node:crypto';

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = 62;
const PRE_LEN = 12;
const SEQ_LEN = 10;
/** 62^10 exceeds 2^53: the sequence is kept below 2^52 (still 10 base62 digits' worth of room). */
const SEQ_LIMIT = 2 ** 52;
/** randomInt() takes ranges up to 2^48. */
const SEQ_START_MAX = 2 ** 47;
const MIN_INC = 33;
const MAX_INC = 333;

export class Nuid {
  #pre = '';
  #seq = 0;
  #inc = 0;

  constructor() {
    this.#reset();
  }

  next(): string {
    this.#seq += this.#inc;
    if (this.#seq >= SEQ_LIMIT) this.#reset();
    let n = this.#seq;
    let s = '';
    for (let i = 0; i < SEQ_LEN; i++) {
      s = DIGITS[n % BASE] + s;
      n = Math.floor(n / BASE);
    }
    return this.#pre + s;
  }

  #reset(): void {
    const b = randomBytes(PRE_LEN);
    let pre = '';
    for (const x of b) pre += DIGITS[x % BASE];
    this.#pre = pre;
    this.#seq = randomInt(0, SEQ_START_MAX);
    this.#inc = randomInt(MIN_INC, MAX_INC);
  }
}

/** The process-wide generator. */
export const nuid = new Nuid();

/** A new `_INBOX.<nuid>` subject. */
export function newInbox(): string {
  return `_INBOX.${nuid.next()}`;
}
