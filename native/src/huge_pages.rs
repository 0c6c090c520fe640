//! Zeroed memory in transparent huge pages, as Buffers: the MEMORY store's
//! arena chunks of its busy channels (src/stores/memory/arena.ts).
//!
//! Why: a store that keeps messages writes every one of them into memory
//! never touched before, and the kernel faults that memory in a 4 KiB page
//! at a time. Where a page fault is expensive (measured ~20 µs on the
//! virtual machines this project is benchmarked on, a 1 MiB chunk cost
//! ~5 ms to first write) that was a fifth of the publish path's CPU. A
//! region advised MADV_HUGEPAGE and aligned on 2 MiB faults once per 2 MiB
//! instead, when the kernel's transparent huge pages are `always` or
//! `madvise` (with `never` the advice is ignored and nothing changes).
//!
//! Linux on x86-64 and aarch64 only (the constants below are theirs);
//! elsewhere `hugeAlloc` returns undefined and the caller allocates as before.

use crate::args::{call, Fail, Ret};
use crate::sys::*;
use std::os::raw::c_void;

/// The huge page size of x86-64 and aarch64 (4 KiB base pages).
pub const HUGE_PAGE: usize = 2 * 1024 * 1024;
/// The largest region one call maps.
const MAX_BYTES: usize = 1 << 30;

#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod os {
    use std::os::raw::{c_int, c_long, c_void};

    extern "C" {
        fn mmap(addr: *mut c_void, len: usize, prot: c_int, flags: c_int, fd: c_int, off: c_long) -> *mut c_void;
        fn munmap(addr: *mut c_void, len: usize) -> c_int;
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }

    const PROT_READ: c_int = 1;
    const PROT_WRITE: c_int = 2;
    const MAP_PRIVATE: c_int = 2;
    const MAP_ANONYMOUS: c_int = 0x20;
    const MADV_HUGEPAGE: c_int = 14;

    /// `len` zeroed bytes (a multiple of `align`, a power of two) at an
    /// address aligned on `align`, advised to be backed by huge pages; or
    /// None when the kernel refuses the mapping.
    pub fn map_aligned(len: usize, align: usize) -> Option<*mut u8> {
        let span = len.checked_add(align)?;
        // SAFETY: an anonymous private mapping at an address of the
        // kernel's choice touches no existing memory.
        let p = unsafe { mmap(std::ptr::null_mut(), span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) };
        if p as isize == -1 {
            return None;
        }
        let start = p as usize;
        let aligned = (start + align - 1) & !(align - 1);
        let head = aligned - start;
        let tail = span - head - len;
        // SAFETY: [start, start+head) and [aligned+len, start+span) lie in
        // the mapping just made and are not handed out.
        unsafe {
            if head > 0 {
                munmap(p, head);
            }
            if tail > 0 {
                munmap((aligned + len) as *mut c_void, tail);
            }
            // Only advice: a kernel without THP leaves small pages, still correct.
            madvise(aligned as *mut c_void, len, MADV_HUGEPAGE);
        }
        Some(aligned as *mut u8)
    }

    /// Unmaps what `map_aligned` returned.
    ///
    /// # Safety
    /// `p`, `len` are a region from `map_aligned` no longer referenced.
    pub unsafe fn unmap(p: *mut u8, len: usize) {
        // SAFETY: per the contract above.
        unsafe { munmap(p as *mut c_void, len) };
    }
}

#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
mod os {
    pub fn map_aligned(_len: usize, _align: usize) -> Option<*mut u8> {
        None
    }

    /// # Safety
    /// Never called: map_aligned hands nothing out here.
    pub unsafe fn unmap(_p: *mut u8, _len: usize) {}
}

/// Finalizer of the Buffer: the region goes when V8 collects it.
unsafe extern "C" fn release(_env: napi_env, data: *mut c_void, hint: *mut c_void) {
    let len = hint as usize;
    // SAFETY: `data` is the region hugeAlloc mapped with length `hint`, and
    // the Buffer that referenced it is being collected.
    unsafe { os::unmap(data as *mut u8, len) };
}

/// `hugeAlloc(bytes)`: a zeroed Buffer of `bytes` rounded up to a multiple
/// of 2 MiB, in huge pages where the OS gives them; undefined where this
/// platform has no such mapping (or the kernel refused it).
pub unsafe extern "C" fn huge_alloc(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node for this callback.
    unsafe {
        call(env, info, |a| {
            let bytes = a.u32(0)? as usize;
            if bytes == 0 || bytes > MAX_BYTES {
                return Err(Fail("size out of range"));
            }
            let len = (bytes + HUGE_PAGE - 1) & !(HUGE_PAGE - 1);
            // (No let-else: the cross builds use Debian's rustc 1.63.)
            let p = match os::map_aligned(len, HUGE_PAGE) {
                Some(p) => p,
                None => return Ok(Ret::Undefined),
            };
            let mut v = std::ptr::null_mut();
            // SAFETY: p..p+len is a live mapping owned from here by the
            // Buffer, whose finalizer (release) unmaps it with `len` as hint.
            let st = napi_create_external_buffer(a.env, len, p as *mut c_void, Some(release), len as *mut c_void, &mut v);
            if st != STATUS_OK {
                // SAFETY: the Buffer was not made: the region is still ours.
                os::unmap(p, len);
                return Err(Fail("cannot make the Buffer"));
            }
            // No napi_adjust_external_memory: V8 counts an external
            // backing store's bytes already, and telling it again made it
            // run twice the full collections.
            Ok(Ret::Value(v))
        })
    }
}
