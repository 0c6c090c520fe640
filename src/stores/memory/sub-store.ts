// The MEMORY store's subscriptions of one channel (the SubStore of
// src/stores/store.ts). Nothing survives a restart of a memory store, so
// the only state the contract needs here is the id counter: states and
// pending sets live in the streaming layer, as in the Go memory store.

import type { SubState, SubStore } from '../store.js';

export class MemorySubStore implements SubStore {
  /** Highest id ever used in this channel; ids are never reused (§5.5). */
  #maxId = 0;

  create(state: SubState): void {
    if (state.id === 0) state.id = ++this.#maxId;
    else if (state.id > this.#maxId) this.#maxId = state.id;
  }

  update(_state: SubState): void {}

  delete(_id: number): void {}

  sent(_id: number, _seq: number): void {}

  acked(_id: number, _seq: number): void {}

  flush(): void {}

  close(): void {}
}
