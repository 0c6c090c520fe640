//! The core's exports for wasm32-unknown-unknown: plain `extern "C"`
//! functions over linear memory (no wasm-bindgen: not reachable here),
//! wrapped by `src/core/wasm.ts` in the TypeScript interface shared with
//! the N-API addon. Glue only: convert, call `stan_core`, return.
//!
//! Handles are raw pointers to boxed Rust values; the TypeScript side
//! frees each one exactly once (explicitly or through a
//! FinalizationRegistry). Byte arguments are written by TypeScript into
//! buffers it obtained from `stan_alloc`.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

use stan_core::parser::Parser;
use stan_core::sublist::{SubjectError, Sublist, SublistStats};
use stan_core::{crc32, subject};
use std::slice;

/// Words written by `sublist_stats`.
const STATS_WORDS: usize = SublistStats::WORDS;

/// A sublist with the vector its last match was encoded into.
pub struct Matcher {
    sl: Sublist,
    result: Vec<u32>,
}

/// Allocates `size` bytes (8-byte aligned) for the caller to fill.
#[no_mangle]
pub extern "C" fn stan_alloc(size: usize) -> *mut u8 {
    let mut v: Vec<u64> = Vec::with_capacity((size + 7) / 8);
    let p = v.as_mut_ptr() as *mut u8;
    std::mem::forget(v);
    p
}

/// Frees what `stan_alloc(size)` returned.
///
/// # Safety
/// `p` must come from `stan_alloc` with the same `size`, freed once.
#[no_mangle]
pub unsafe extern "C" fn stan_free(p: *mut u8, size: usize) {
    // SAFETY: rebuilds the Vec<u64> forgotten by stan_alloc, same capacity.
    drop(unsafe { Vec::from_raw_parts(p as *mut u64, 0, (size + 7) / 8) });
}

/// # Safety
/// `p`/`len` must describe readable memory (len 0 allows any pointer).
unsafe fn bytes<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: per the contract above.
    unsafe { slice::from_raw_parts(p, len) }
}

/// A new parser; free it with `parser_free`.
#[no_mangle]
pub extern "C" fn parser_new(max_control_line: u32, max_payload: u32) -> *mut Parser {
    Box::into_raw(Box::new(Parser::new(max_control_line, max_payload)))
}

/// # Safety
/// `p` from `parser_new`, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn parser_free(p: *mut Parser) {
    // SAFETY: per the contract, `p` is a live Box<Parser> freed once.
    drop(unsafe { Box::from_raw(p) });
}

/// Parses a chunk into `out` (`out_words` u32s); returns the record count.
///
/// # Safety
/// `p` from `parser_new`; `chunk`/`len` and `out`/`out_words` describe
/// distinct live allocations, `out` 4-byte aligned.
#[no_mangle]
pub unsafe extern "C" fn parser_parse(p: *mut Parser, chunk: *const u8, len: usize, out: *mut u32, out_words: usize) -> u32 {
    if out_words < Parser::min_output_words() {
        return 0;
    }
    // SAFETY: per the contract above.
    unsafe { (*p).parse(bytes(chunk, len), slice::from_raw_parts_mut(out, out_words)) as u32 }
}

/// Address of the carry buffer (see `parser_carry_len`).
///
/// # Safety
/// `p` from `parser_new`.
#[no_mangle]
pub unsafe extern "C" fn parser_carry_ptr(p: *const Parser) -> *const u8 {
    // SAFETY: `p` is live per the contract.
    unsafe { (*p).carry().as_ptr() }
}

/// Length of the carry buffer.
///
/// # Safety
/// `p` from `parser_new`.
#[no_mangle]
pub unsafe extern "C" fn parser_carry_len(p: *const Parser) -> usize {
    // SAFETY: `p` is live per the contract.
    unsafe { (*p).carry().len() }
}

/// # Safety
/// `p` from `parser_new`.
#[no_mangle]
pub unsafe extern "C" fn parser_reset(p: *mut Parser) {
    // SAFETY: `p` is live per the contract.
    unsafe { (*p).reset() }
}

/// # Safety
/// `p` from `parser_new`.
#[no_mangle]
pub unsafe extern "C" fn parser_set_limits(p: *mut Parser, max_control_line: u32, max_payload: u32) {
    // SAFETY: `p` is live per the contract.
    unsafe { (*p).set_limits(max_control_line, max_payload) }
}

/// # Safety
/// `p` from `parser_new`.
#[no_mangle]
pub unsafe extern "C" fn parser_set_route(p: *mut Parser, on: u32) {
    // SAFETY: `p` is live per the contract.
    unsafe { (*p).set_route(on != 0) }
}

/// A new sublist; free it with `sublist_free`.
#[no_mangle]
pub extern "C" fn sublist_new(cache: u32) -> *mut Matcher {
    Box::into_raw(Box::new(Matcher { sl: Sublist::new(cache != 0), result: Vec::new() }))
}

/// # Safety
/// `m` from `sublist_new`, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn sublist_free(m: *mut Matcher) {
    // SAFETY: per the contract, a live Box<Matcher> freed once.
    drop(unsafe { Box::from_raw(m) });
}

/// A null queue pointer means "no queue group".
///
/// # Safety
/// As `bytes`.
unsafe fn queue<'a>(q: *const u8, q_len: usize) -> Option<&'a [u8]> {
    if q.is_null() {
        None
    } else {
        // SAFETY: per the caller's contract.
        Some(unsafe { bytes(q, q_len) })
    }
}

/// Inserts; returns 0, or 1 for an invalid subject, 2 for an invalid queue.
///
/// # Safety
/// `m` from `sublist_new`; the byte ranges are live.
#[no_mangle]
pub unsafe extern "C" fn sublist_insert(m: *mut Matcher, s: *const u8, s_len: usize, q: *const u8, q_len: usize, id: u32) -> u32 {
    // SAFETY: per the contract above.
    let r = unsafe { (*m).sl.insert(bytes(s, s_len), queue(q, q_len), id) };
    match r {
        Ok(()) => 0,
        Err(SubjectError::InvalidSubject) => 1,
        Err(SubjectError::InvalidQueue) => 2,
    }
}

/// Removes; returns 1 if the subscription was there.
///
/// # Safety
/// `m` from `sublist_new`; the byte ranges are live.
#[no_mangle]
pub unsafe extern "C" fn sublist_remove(m: *mut Matcher, s: *const u8, s_len: usize, q: *const u8, q_len: usize, id: u32) -> u32 {
    // SAFETY: per the contract above.
    unsafe { (*m).sl.remove(bytes(s, s_len), queue(q, q_len), id) as u32 }
}

/// Matches; the encoded result (see stan_core::sublist) is at
/// `sublist_result_ptr` and this many words long.
///
/// # Safety
/// `m` from `sublist_new`; the byte range is live.
#[no_mangle]
pub unsafe extern "C" fn sublist_match(m: *mut Matcher, s: *const u8, s_len: usize) -> usize {
    // SAFETY: per the contract above; `m` is not aliased during the call.
    let m = unsafe { &mut *m };
    // SAFETY: per the contract above.
    m.sl.match_into(unsafe { bytes(s, s_len) }, &mut m.result);
    m.result.len()
}

/// Address of the last match result.
///
/// # Safety
/// `m` from `sublist_new`.
#[no_mangle]
pub unsafe extern "C" fn sublist_result_ptr(m: *const Matcher) -> *const u32 {
    // SAFETY: `m` is live per the contract.
    unsafe { (*m).result.as_ptr() }
}

/// Writes the 8 statistics (as f64) to `out`; returns the genid.
///
/// # Safety
/// `m` from `sublist_new`; `out` holds 8 aligned f64s.
#[no_mangle]
pub unsafe extern "C" fn sublist_stats(m: *const Matcher, out: *mut f64) -> f64 {
    // SAFETY: per the contract above.
    let (sl, out) = unsafe { (&(*m).sl, slice::from_raw_parts_mut(out, STATS_WORDS)) };
    out[..STATS_WORDS].copy_from_slice(&sl.stats().words());
    sl.genid() as f64
}

/// The generation id, bumped by every insert and remove.
///
/// # Safety
/// `m` from `sublist_new`.
#[no_mangle]
pub unsafe extern "C" fn sublist_genid(m: *const Matcher) -> f64 {
    // SAFETY: `m` is live per the contract.
    unsafe { (*m).sl.genid() as f64 }
}

/// 1 if the subject is valid for SUB (`wildcards` != 0) or PUB.
///
/// # Safety
/// The byte range is live.
#[no_mangle]
pub unsafe extern "C" fn subject_valid(s: *const u8, len: usize, wildcards: u32) -> u32 {
    // SAFETY: per the contract above.
    let s = unsafe { bytes(s, len) };
    (if wildcards != 0 { subject::is_valid_subject(s) } else { subject::is_valid_literal_subject(s) }) as u32
}

/// Go's crc32.Update(crc, MakeTable(poly), data).
///
/// # Safety
/// The byte range is live.
#[no_mangle]
pub unsafe extern "C" fn crc32_update(crc: u32, poly: u32, data: *const u8, len: usize) -> u32 {
    // SAFETY: per the contract above.
    crc32::update(crc, poly, unsafe { bytes(data, len) })
}
