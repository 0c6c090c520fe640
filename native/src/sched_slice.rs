//! `requestSlice(ns)`: asks the kernel to run the calling thread (the
//! event loop) in time slices of `ns` nanoseconds: a custom slice of the
//! EEVDF scheduler (Linux 6.12+, `sched_attr.sched_runtime` of a
//! SCHED_OTHER or SCHED_BATCH thread). Its weight (nice value, share of
//! the CPU) is unchanged; a shorter slice gives it an earlier virtual
//! deadline, so that when it wakes up on a busy CPU (a message arrived) it
//! preempts whatever runs there instead of waiting out that thread's slice.
//!
//! Why, and what it bought: src/cli/event-loop-slice.ts.
//!
//! Returns 0 when the slice is in place; a positive errno when the kernel
//! refused; -1 where this is not Linux on x86-64 or aarch64; -2 when the
//! thread has another policy (real-time, deadline, idle: the operator's
//! choice, left alone); -3 when the kernel took the call but keeps no
//! custom slice (before 6.12 it ignores `sched_runtime` of such threads).

use crate::args::{call, Fail, Ret};
use crate::sys::*;

/// The kernel's bounds of a custom slice (0.1 ms - 100 ms).
const MIN_NS: f64 = 100_000.0;
const MAX_NS: f64 = 100_000_000.0;

#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod os {
    use std::os::raw::{c_long, c_uint};

    /// `struct sched_attr` (SCHED_ATTR_SIZE_VER1, 56 bytes).
    #[repr(C)]
    #[derive(Default)]
    struct SchedAttr {
        size: u32,
        policy: u32,
        flags: u64,
        nice: i32,
        priority: u32,
        runtime: u64,
        deadline: u64,
        period: u64,
        util_min: u32,
        util_max: u32,
    }

    extern "C" {
        fn syscall(num: c_long, ...) -> c_long;
    }

    #[cfg(target_arch = "x86_64")]
    const SYS_SCHED_SETATTR: c_long = 314;
    #[cfg(target_arch = "x86_64")]
    const SYS_SCHED_GETATTR: c_long = 315;
    #[cfg(target_arch = "aarch64")]
    const SYS_SCHED_SETATTR: c_long = 274;
    #[cfg(target_arch = "aarch64")]
    const SYS_SCHED_GETATTR: c_long = 275;

    const SCHED_OTHER: u32 = 0;
    const SCHED_BATCH: u32 = 3;
    const SIZE: c_uint = std::mem::size_of::<SchedAttr>() as c_uint;

    fn errno() -> i32 {
        std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)
    }

    /// The calling thread's attributes (tid 0: itself).
    fn get() -> Result<SchedAttr, i32> {
        let mut a = SchedAttr::default();
        // SAFETY: `a` is a writable SchedAttr of SIZE bytes, which the
        // kernel fills up to SIZE; no other memory is touched.
        let r = unsafe { syscall(SYS_SCHED_GETATTR, 0 as c_long, &mut a as *mut SchedAttr, SIZE, 0 as c_uint) };
        if r != 0 {
            return Err(errno());
        }
        Ok(a)
    }

    pub fn request_slice(ns: u64) -> i32 {
        let mut a = match get() {
            Ok(a) => a,
            Err(e) => return e,
        };
        if a.policy != SCHED_OTHER && a.policy != SCHED_BATCH {
            return -2;
        }
        // Policy and nice value as they are; only the slice changes.
        a.size = SIZE;
        a.flags = 0;
        a.runtime = ns;
        // SAFETY: `a` is a valid, initialised SchedAttr the kernel only reads.
        let r = unsafe { syscall(SYS_SCHED_SETATTR, 0 as c_long, &a as *const SchedAttr, 0 as c_uint) };
        if r != 0 {
            return errno();
        }
        match get() {
            Ok(b) if b.runtime == ns => 0,
            Ok(_) => -3,
            Err(e) => e,
        }
    }
}

#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
mod os {
    pub fn request_slice(_ns: u64) -> i32 {
        -1
    }
}

/// requestSlice(ns: number): number, as described above.
pub unsafe extern "C" fn request_slice(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: called by Node with this callback's env and info.
    unsafe {
        call(env, info, |a| {
            let ns = a.f64(0)?;
            if ns.fract() != 0.0 || !(MIN_NS..=MAX_NS).contains(&ns) {
                return Err(Fail("expected a slice of 100000 to 100000000 ns"));
            }
            Ok(Ret::I32(os::request_slice(ns as u64)))
        })
    }
}
