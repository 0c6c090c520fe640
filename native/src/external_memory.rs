//! `adjustExternalMemory(delta)`: tells V8 of memory it does not see, so
//! that its garbage collector is paced by it (napi_adjust_external_memory).
//!
//! Why: the MEMORY store keeps its messages in SharedArrayBuffer chunks,
//! which V8 does not count towards its heap limits (src/stores/memory/
//! arena.ts): live messages must not trigger full collections that free
//! nothing. A chunk the store has dropped is garbage V8 should collect,
//! though, so the store reports its bytes here when it drops it, and takes
//! them back once the chunk is collected.

use crate::args::{call, Fail, Ret};
use crate::sys::*;

/// The largest change one call makes (a sanity bound on the argument).
const MAX_DELTA: f64 = (1u64 << 40) as f64;

/// adjustExternalMemory(delta: number): number, V8's external total after it.
pub unsafe extern "C" fn adjust_external_memory(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: called by Node with this callback's env and info.
    unsafe {
        call(env, info, |a| {
            let delta = a.f64(0)?;
            if delta.fract() != 0.0 || !(-MAX_DELTA..=MAX_DELTA).contains(&delta) {
                return Err(Fail("expected a whole number of bytes"));
            }
            let mut total: i64 = 0;
            // SAFETY: env of this call; `total` is an out-pointer.
            let st = napi_adjust_external_memory(a.env, delta as i64, &mut total);
            if st != STATUS_OK {
                return Err(Fail("napi_adjust_external_memory failed"));
            }
            Ok(Ret::F64(total as f64))
        })
    }
}
