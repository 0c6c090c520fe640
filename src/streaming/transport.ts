// How the streaming layer talks NATS: the embedded server's in-process
// client (transport-embedded.ts), or a NATS client connection to an
// external server with -ns (transport-external.ts). Both deliver messages
// in the order they were published, which is what puts every
// SubscriptionResponse before the first message of its subscription.

/**
 * Receives a message. `data` may be a view into a buffer that is reused
 * after the call: copy what must outlive it.
 */
export type MsgHandler = (subject: string, reply: string | undefined, data: Uint8Array) => void;

export interface TransportSub {
  unsubscribe(): void;
}

export interface NatsTransport {
  subscribe(subject: string, handler: MsgHandler): TransportSub;
  /** Publishes; `data` must not be changed afterwards (it may be sent later). */
  publish(subject: string, data: Uint8Array, reply?: string): void;
  /**
   * After publish(): resolves once the receiver's connection can take more
   * (its backlog fell below half of max_pending, or the fast-producer
   * stall's time passed); undefined when it can now. Only the embedded
   * server can tell: with -ns the external server stalls our own
   * connection instead, as it does the Go server's.
   */
  stallWait?(): Promise<void> | undefined;
  /** A request; null when nobody answers in time or nobody listens. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array | null>;
  /** Resolves once everything published so far has left for the NATS server. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
