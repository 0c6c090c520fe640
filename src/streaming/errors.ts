// Every error text the streaming server sends to clients (STAN-REFERENCE
// §2.10), exactly as the Go server spells them: clients and users match on
// these strings. Pinned by test/streaming/errors.test.ts.

export const StanErr = {
  INVALID_CONN_REQ: 'stan: invalid connection request',
  INVALID_CLIENT_ID: 'stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed',
  CLIENT_ID_REGISTERED: 'stan: clientID already registered',
  INVALID_PUB_REQ: 'stan: invalid publish request',
  TOO_MANY_CHANNELS: 'too many channels',
  CHANNEL_BEING_DELETED: 'stan: channel is being deleted',
  INVALID_SUB_REQ: 'stan: invalid subscription request',
  MISSING_CLIENT: 'stan: clientID missing',
  INVALID_ACK_WAIT: 'stan: invalid ack wait time, should be >= 1s',
  INVALID_MAX_INFLIGHT: 'stan: invalid MaxInflight, should be >= 1',
  INVALID_START: 'stan: invalid start position',
  INVALID_SUBJECT: 'stan: invalid subject',
  UNKNOWN_CLIENT: 'stan: unknown clientID',
  DUP_DURABLE: 'stan: duplicate durable registration',
  INVALID_DURABLE_NAME: "stan: durable name of a durable queue subscriber can't contain the character ':'",
  TOO_MANY_SUBS: 'too many subscriptions per channel',
  INVALID_UNSUB_REQ: 'stan: invalid unsubscribe request',
  INVALID_SUB: 'stan: invalid subscription',
  INVALID_CLOSE_REQ: 'stan: invalid close request',
  CLIENT_REPLACED: 'client has been replaced or is no longer registered',
} as const;

/** The case-clash error, misspelling ("alreay") included. */
export function errChannelCaseClash(name: string, existing: string): string {
  return `rejecting channel "${name}" because channel "${existing}" alreay exists (different cases not allowed)`;
}

/** An error whose message is sent to the client as is. */
export class StanError extends Error {
  override name = 'StanError';
}
