// The few WebAssembly JS API types the WASM loader uses. Node has the
// global at runtime; @types/node does not declare it and lib "dom" would
// bring the whole browser API into a server build.

declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, unknown>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
}
