// The MEMORY store's public surface.

export { MemoryStore, type MemoryStoreOptions } from './store.js';
export { MemoryMsgStore, type LimitReachedHandler, type MemoryMsgStoreOptions } from './msg-store.js';
export { MemorySubStore } from './sub-store.js';
export { CHUNK_SIZE, HUGE_CHUNK, LARGE_PAYLOAD, type ArenaStats } from './arena.js';
