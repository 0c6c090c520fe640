//! The N-API addon: glue only. Each export converts its arguments, calls
//! `stan_core`, and converts the result back; `src/core/native.ts` wraps
//! these functions in the TypeScript interface shared with the WASM build.
//!
//! One boundary crossing per socket chunk: `parserParse` handles a whole
//! chunk and writes op records into a Uint32Array owned by the caller.
//! The FILE store's I/O (`file_exports.rs`) writes a commit's batch with one
//! call per file and syncs it on a worker thread.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod args;
mod async_work;
mod dir_lock;
mod errors;
mod file_exports;
mod external_memory;
mod huge_pages;
mod sched_slice;
mod slice_io;
mod sync_pool;
mod sys;

use args::{call, external, Args, Fail, Ret, Utf8};
use stan_core::parser::Parser;
use stan_core::sublist::{SubjectError, Sublist, SublistStats};
use stan_core::{crc32, subject};
use sys::*;

/// Words written by `sublistStats`.
const STATS_WORDS: usize = SublistStats::WORDS;

unsafe extern "C" fn parser_new(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node for this callback.
    unsafe { call(env, info, |a| external(a.env, Parser::new(a.u32(0)?, a.u32(1)?))) }
}

unsafe extern "C" fn parser_parse(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node. The handle was made by parserNew; the
    // chunk and the output array are distinct arrays (src/core/native.ts
    // owns the output array and never passes it as a chunk).
    unsafe {
        call(env, info, |a| {
            let p = a.external::<Parser>(0)?;
            let chunk = a.bytes(1)?;
            let out = a.u32s(2)?;
            if out.len() < Parser::min_output_words() {
                return Err(Fail("output array too small"));
            }
            Ok(Ret::U32(p.parse(chunk, out) as u32))
        })
    }
}

unsafe extern "C" fn parser_carry(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by parserNew.
    unsafe { call(env, info, |a| Ok(Ret::Copy(a.external::<Parser>(0)?.carry()))) }
}

unsafe extern "C" fn parser_reset(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by parserNew.
    unsafe {
        call(env, info, |a| {
            a.external::<Parser>(0)?.reset();
            Ok(Ret::Undefined)
        })
    }
}

unsafe extern "C" fn parser_set_route(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by parserNew.
    unsafe {
        call(env, info, |a| {
            a.external::<Parser>(0)?.set_route(a.u32(1)? != 0);
            Ok(Ret::Undefined)
        })
    }
}

unsafe extern "C" fn parser_set_limits(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by parserNew.
    unsafe {
        call(env, info, |a| {
            a.external::<Parser>(0)?.set_limits(a.u32(1)?, a.u32(2)?);
            Ok(Ret::Undefined)
        })
    }
}

/// A sublist and the vector its last match is encoded into, kept so that
/// a result too big for the caller's array is copied, not matched twice.
struct Matcher {
    sl: Sublist,
    result: Vec<u32>,
}

unsafe extern "C" fn sublist_new(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node for this callback.
    unsafe { call(env, info, |a| external(a.env, Matcher { sl: Sublist::new(a.bool(0)?), result: Vec::new() })) }
}

/// Reads (subject, queue-or-null) at argument positions 1 and 2.
fn subject_and_queue<'b>(a: &Args, s: &'b mut Utf8, q: &'b mut Utf8) -> Result<(&'b [u8], Option<&'b [u8]>), Fail> {
    let subject = a.str_into(1, s)?;
    let queue = if a.is_nullish(2) { None } else { Some(a.str_into(2, q)?) };
    Ok((subject, queue))
}

unsafe extern "C" fn sublist_insert(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by sublistNew.
    unsafe {
        call(env, info, |a| {
            let sl = &mut a.external::<Matcher>(0)?.sl;
            let (mut s, mut q) = (Utf8::new(), Utf8::new());
            let (subject, queue) = subject_and_queue(a, &mut s, &mut q)?;
            let code = match sl.insert(subject, queue, a.u32(3)?) {
                Ok(()) => 0,
                Err(SubjectError::InvalidSubject) => 1,
                Err(SubjectError::InvalidQueue) => 2,
            };
            Ok(Ret::U32(code))
        })
    }
}

unsafe extern "C" fn sublist_remove(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by sublistNew.
    unsafe {
        call(env, info, |a| {
            let sl = &mut a.external::<Matcher>(0)?.sl;
            let (mut s, mut q) = (Utf8::new(), Utf8::new());
            let (subject, queue) = subject_and_queue(a, &mut s, &mut q)?;
            Ok(Ret::Bool(sl.remove(subject, queue, a.u32(3)?)))
        })
    }
}

unsafe extern "C" fn sublist_match(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by sublistNew;
    // the output array is owned by src/core/native.ts and used by no one else.
    unsafe {
        call(env, info, |a| {
            let m = a.external::<Matcher>(0)?;
            let mut s = Utf8::new();
            m.sl.match_into(a.str_into(1, &mut s)?, &mut m.result);
            copy_result(m, a.u32s(2)?)
        })
    }
}

/// Copies the last match into `out`, or returns minus the words it needs.
fn copy_result<'a>(m: &Matcher, out: &mut [u32]) -> Result<Ret<'a>, Fail> {
    let n = m.result.len();
    if n > out.len() {
        return Ok(Ret::I32(-(n as i32)));
    }
    out[..n].copy_from_slice(&m.result);
    Ok(Ret::I32(n as i32))
}

unsafe extern "C" fn sublist_last_match(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: as in sublist_match.
    unsafe { call(env, info, |a| copy_result(a.external::<Matcher>(0)?, a.u32s(1)?)) }
}

unsafe extern "C" fn sublist_stats(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by sublistNew.
    unsafe {
        call(env, info, |a| {
            let sl = &a.external::<Matcher>(0)?.sl;
            let out = a.f64s(1)?;
            if out.len() < STATS_WORDS {
                return Err(Fail("output array too small"));
            }
            out[..STATS_WORDS].copy_from_slice(&sl.stats().words());
            Ok(Ret::F64(sl.genid() as f64))
        })
    }
}

unsafe extern "C" fn sublist_genid(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by sublistNew.
    unsafe { call(env, info, |a| Ok(Ret::F64(a.external::<Matcher>(0)?.sl.genid() as f64))) }
}

unsafe extern "C" fn subject_valid(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node for this callback.
    unsafe {
        call(env, info, |a| {
            let mut s = Utf8::new();
            let bytes = a.str_into(0, &mut s)?;
            let ok = if a.bool(1)? { subject::is_valid_subject(bytes) } else { subject::is_valid_literal_subject(bytes) };
            Ok(Ret::Bool(ok))
        })
    }
}

unsafe extern "C" fn crc32_update(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the data array is only read.
    unsafe { call(env, info, |a| Ok(Ret::U32(crc32::update(a.u32(1)?, a.u32(2)?, a.bytes(0)?)))) }
}

unsafe extern "C" fn crc32_seal(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the buffer and the spans are distinct
    // arrays (src/stores/file/append-file.ts owns the spans array and never
    // passes it as a buffer), so the writable views do not alias.
    unsafe {
        call(env, info, |a| {
            let buf = a.bytes_mut(0)?;
            let spans = a.u32s(1)?;
            let n = a.u32(2)? as usize;
            let spans = n.checked_mul(3).and_then(|w| spans.get(..w)).ok_or(Fail("count past the spans array"))?;
            crc32::seal(buf, spans, a.u32(3)?).map_err(|_| Fail("a span is outside the buffer"))?;
            Ok(Ret::Undefined)
        })
    }
}

/// (JS name, function) of every export.
const EXPORTS: &[(&[u8], unsafe extern "C" fn(napi_env, napi_callback_info) -> napi_value)] = &[
    (b"parserNew\0", parser_new),
    (b"parserParse\0", parser_parse),
    (b"parserCarry\0", parser_carry),
    (b"parserReset\0", parser_reset),
    (b"parserSetLimits\0", parser_set_limits),
    (b"parserSetRoute\0", parser_set_route),
    (b"sublistNew\0", sublist_new),
    (b"sublistInsert\0", sublist_insert),
    (b"sublistRemove\0", sublist_remove),
    (b"sublistMatch\0", sublist_match),
    (b"sublistLastMatch\0", sublist_last_match),
    (b"sublistStats\0", sublist_stats),
    (b"sublistGenid\0", sublist_genid),
    (b"subjectValid\0", subject_valid),
    (b"crc32\0", crc32_update),
    (b"crc32Seal\0", crc32_seal),
    (b"hugeAlloc\0", huge_pages::huge_alloc),
    (b"adjustExternalMemory\0", external_memory::adjust_external_memory),
    (b"requestSlice\0", sched_slice::request_slice),
    (b"fileOpen\0", file_exports::file_open),
    (b"fileWrite\0", file_exports::file_write),
    (b"fileRead\0", file_exports::file_read),
    (b"fileSize\0", file_exports::file_size),
    (b"fileTruncate\0", file_exports::file_truncate),
    (b"fileDatasync\0", file_exports::file_datasync),
    (b"fileClose\0", file_exports::file_close),
    (b"fileSync\0", file_exports::file_sync),
    (b"fileReadAsync\0", file_exports::file_read_async),
    (b"fileLock\0", file_exports::file_lock),
    (b"fileUnlock\0", file_exports::file_unlock),
];

/// Module entry point, called by Node on `require()` (possibly once per
/// worker thread; there is no per-process state to guard).
///
/// # Safety
/// Called by Node with a live env and exports object.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    // SAFETY: first thing at registration, before any other N-API call.
    unsafe { load_all() };
    for (name, f) in EXPORTS {
        let mut func: napi_value = std::ptr::null_mut();
        // SAFETY: `name` is NUL-terminated (length usize::MAX = NAPI_AUTO_LENGTH);
        // `func` is an out-pointer; `exports` is live during registration.
        unsafe {
            if napi_create_function(env, name.as_ptr() as *const _, usize::MAX, Some(*f), std::ptr::null_mut(), &mut func)
                != STATUS_OK
                || napi_set_named_property(env, exports, name.as_ptr() as *const _, func) != STATUS_OK
            {
                return std::ptr::null_mut();
            }
        }
    }
    exports
}
