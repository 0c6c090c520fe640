// What a request gets when serving it throws (issue #18: no exception from
// a store, codec or handler leaves a request unanswered or takes the
// process down). A StanError is an expected refusal: its text goes to the
// client as is. Anything else is answered with its message, as the Go
// server sends a store's error (server.go: sendSubscriptionResponseErr,
// sendPublishErr with err.Error()), and logged at ERR level: a store's
// error with its text, any other (a broken invariant) with its stack.

import type { Logger } from '../log/logger.js';
import { StoreError } from '../stores/store.js';
import { StanError } from './errors.js';

/** The error text for the requester; logs `what: ...` unless the error is a StanError. */
export function failureText(log: Logger, what: string, err: unknown): string {
  if (err instanceof StanError) return err.message;
  const text = err instanceof Error ? err.message : String(err);
  const detail = err instanceof StoreError || !(err instanceof Error) ? text : (err.stack ?? text);
  log.error(`STREAM: ${what}: ${detail}`);
  return text;
}
