//! The byte-level core of the streaming server, shared by the N-API addon
//! (`native/src`) and the WASM build (`wasm/src`): the NATS protocol parser,
//! the subject trie with its match cache, subject validation and CRC32.
//!
//! Pure Rust, std only, no FFI: the glue crates translate and call in here.
//! Must build with rustc 1.63 (Debian's, for wasm32-unknown-unknown).

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod crc32;
pub mod parser;
pub mod subject;
pub mod sublist;
#[cfg(test)]
mod testutil;
