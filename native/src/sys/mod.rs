//! The hand-written Node-API surface this addon needs (crates.io, and so
//! the `napi` crates, are not reachable here). Only Node-API 1-3 functions
//! are declared: with full RELRO a declared-and-used symbol missing from the
//! running node would make `require()` fail (PACKAGING.md §2, §5).

pub mod functions;
pub mod types;

pub use functions::*;
pub use types::*;
