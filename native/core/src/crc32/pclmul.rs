//! The `x86_64` backend: folds 64 bytes per step with carry-less multiplies
//! (PCLMULQDQ), after Intel's "Fast CRC Computation for Generic Polynomials
//! Using PCLMULQDQ Instruction" (2009), for any reversed polynomial.
//!
//! Bit order. Data is reflected: loaded little-endian into a 128-bit
//! register, bit `k` is the coefficient of x^(127 - k), so lane 0 (the
//! first eight bytes) holds the high-order half. Multiplying two such
//! 64-bit lanes yields a product whose bit `k` stands for x^(126 - k); read
//! back as a 128-bit reflected value it is one degree too high. A folding
//! constant is x^n mod P as a 32-bit reflected value in the low bits of a
//! lane, which adds another x^32, so moving a lane forward by x^s uses
//! n = s - 33.
//!
//! Inputs of 16 bytes or more are folded down to one 128-bit remainder
//! (a short tail is folded in as a shifted block); the table walk then does
//! the final reduction mod P: running a zeroed register over those 16 bytes
//! yields exactly their CRC.

// std::arch intrinsics without pointer arguments became safe to call from
// `#[target_feature]` code in Rust 1.87; rustc 1.63 (the wasm toolchain)
// still needs `unsafe` around them, so the blocks stay and newer compilers
// must not complain about them.
#![allow(unused_unsafe)]

use std::arch::x86_64::{
    __m128i, _mm_clmulepi64_si128, _mm_cvtsi32_si128, _mm_loadu_si128, _mm_set_epi64x,
    _mm_storeu_si128, _mm_xor_si128,
};
use std::sync::atomic::{AtomicU8, Ordering};

use super::Table;

/// Shortest input worth folding. Measured on a Xeon (AVX-512 era): the fold
/// costs about 10 ns for anything up to 128 bytes, the table walk about
/// 4 ns per 16 bytes, so they cross near 32.
pub(super) const MIN_LEN: usize = 32;

/// Bytes per register.
const BLOCK: usize = 16;
/// Bytes per folding step: four independent registers hide the multiply
/// latency.
const STEP: usize = 4 * BLOCK;

/// Folding constants for one polynomial. Each pair is `[lane 0, lane 1]`:
/// the multipliers that move a register's high and low halves forward by
/// the named number of bits.
pub(super) struct Keys {
    by512: [u64; 2],
    by384: [u64; 2],
    by256: [u64; 2],
    by128: [u64; 2],
}

impl Keys {
    /// Computes the constants for the reversed polynomial `poly` (const, so
    /// the IEEE table is built at compile time).
    pub(super) const fn new(poly: u32) -> Keys {
        Keys {
            by512: pair(poly, 512),
            by384: pair(poly, 384),
            by256: pair(poly, 256),
            by128: pair(poly, 128),
        }
    }
}

/// Multipliers moving a register forward by x^bits. Lane 0 holds the
/// high-order 64 coefficients, which sit x^64 above lane 1, hence the two
/// exponents (see the module comment for the 33).
const fn pair(poly: u32, bits: u32) -> [u64; 2] {
    [
        xpow_mod(bits + 64 - 33, poly) as u64,
        xpow_mod(bits - 33, poly) as u64,
    ]
}

/// x^n mod P as a reflected 32-bit value (bit 31 is x^0). Each step is a
/// carry-less multiply by x: a right shift, reduced by `poly` when the x^31
/// coefficient (bit 0) overflows to x^32. At most a few hundred steps, once
/// per table.
const fn xpow_mod(n: u32, poly: u32) -> u32 {
    let mut v: u32 = 1 << 31;
    let mut i = 0;
    while i < n {
        v = if v & 1 == 1 { (v >> 1) ^ poly } else { v >> 1 };
        i += 1;
    }
    v
}

/// CPU support, probed once: not yet probed.
const UNKNOWN: u8 = 0;
/// CPU support, probed once: PCLMULQDQ and SSE4.1 absent.
const ABSENT: u8 = 1;
/// CPU support, probed once: PCLMULQDQ and SSE4.1 present.
const PRESENT: u8 = 2;
/// Cached result of the CPU probe (one of the three values above).
static SUPPORT: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Whether this CPU can run [`update_unchecked`]. Probes on first call;
/// racing first calls just probe twice and store the same answer.
fn supported() -> bool {
    match SUPPORT.load(Ordering::Relaxed) {
        PRESENT => true,
        ABSENT => false,
        _ => {
            let ok = is_x86_feature_detected!("pclmulqdq") && is_x86_feature_detected!("sse4.1");
            let v = if ok { PRESENT } else { ABSENT };
            SUPPORT.store(v, Ordering::Relaxed);
            ok
        }
    }
}

/// Runs the raw register `state` over `data` with `table`'s polynomial, or
/// returns `None` when this CPU lacks PCLMULQDQ or SSE4.1.
pub(super) fn update(table: &Table, state: u32, data: &[u8]) -> Option<u32> {
    if !supported() {
        return None;
    }
    // SAFETY: supported() just confirmed both features update_unchecked is
    // compiled for; its other inputs are ordinary references.
    Some(unsafe { update_unchecked(table, state, data) })
}

/// Runs the raw register `state` over `data` with `table`'s polynomial.
/// Short inputs fall through to the table walk.
///
/// # Safety
///
/// The CPU must support PCLMULQDQ and SSE4.1 (see [`update`]).
#[target_feature(enable = "pclmulqdq,sse4.1")]
unsafe fn update_unchecked(table: &Table, state: u32, data: &[u8]) -> u32 {
    if data.len() < BLOCK {
        return table.slice16(state, data);
    }
    let keys = &table.keys;
    let k128 = lanes(keys.by128);
    // The register joins the message by xor into its first four bytes.
    // SAFETY: cvtsi32 is SSE2, baseline on x86_64.
    let reg = unsafe { _mm_cvtsi32_si128(state as i32) };
    let (mut acc, rest) = if data.len() < STEP {
        (xor(load(data), reg), &data[BLOCK..])
    } else {
        let (first, body) = data.split_at(STEP);
        let mut a0 = xor(load(first), reg);
        let mut a1 = load(&first[BLOCK..]);
        let mut a2 = load(&first[2 * BLOCK..]);
        let mut a3 = load(&first[3 * BLOCK..]);
        let k512 = lanes(keys.by512);
        let mut steps = body.chunks_exact(STEP);
        for c in &mut steps {
            // SAFETY: this function's caller guarantees PCLMULQDQ.
            unsafe {
                a0 = fold(a0, k512, load(c));
                a1 = fold(a1, k512, load(&c[BLOCK..]));
                a2 = fold(a2, k512, load(&c[2 * BLOCK..]));
                a3 = fold(a3, k512, load(&c[3 * BLOCK..]));
            }
        }
        // a0·x^384 + a1·x^256 + a2·x^128 + a3.
        // SAFETY: this function's caller guarantees PCLMULQDQ.
        let acc = unsafe {
            let acc = fold(a2, k128, a3);
            let acc = fold(a1, lanes(keys.by256), acc);
            fold(a0, lanes(keys.by384), acc)
        };
        (acc, steps.remainder())
    };
    let mut blocks = rest.chunks_exact(BLOCK);
    for b in &mut blocks {
        // SAFETY: this function's caller guarantees PCLMULQDQ.
        acc = unsafe { fold(acc, k128, load(b)) };
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        // SAFETY: this function's caller guarantees PCLMULQDQ.
        acc = unsafe { fold_tail(acc, k128, tail) };
    }
    // acc ≡ the whole input (mod P) with the register mixed in, so its CRC
    // from a zeroed register is the answer: one table step does the final
    // reduction.
    let mut folded = [0u8; BLOCK];
    store(&mut folded, acc);
    table.slice16(0, &folded)
}

/// Absorbs a tail of 1 to 15 bytes into `acc` without a byte-at-a-time
/// walk (whose dependent lookups cost more than the whole fold of a short
/// input). With `r = tail.len()`, the stream `acc ++ tail` equals its first
/// `r` bytes times x^128 plus its last 16 bytes; the first part, padded
/// with leading zero bytes, is one block to fold by 128 bits.
///
/// # Safety
///
/// The CPU must support PCLMULQDQ.
#[target_feature(enable = "pclmulqdq,sse4.1")]
unsafe fn fold_tail(acc: __m128i, k128: __m128i, tail: &[u8]) -> __m128i {
    let r = tail.len();
    let mut stream = [0u8; 2 * BLOCK];
    let (head, rest) = stream.split_at_mut(BLOCK);
    store(head, acc);
    rest[..r].copy_from_slice(tail);
    let mut shifted = [0u8; BLOCK];
    shifted[BLOCK - r..].copy_from_slice(&stream[..r]);
    // SAFETY: this function's caller guarantees PCLMULQDQ.
    unsafe { fold(load(&shifted), k128, load(&stream[r..])) }
}

/// `acc` moved forward by the distance `keys` encodes, plus `next`:
/// lane 0 (high half) times key lane 0, xor lane 1 times key lane 1.
///
/// # Safety
///
/// The CPU must support PCLMULQDQ.
#[inline]
#[target_feature(enable = "pclmulqdq,sse4.1")]
unsafe fn fold(acc: __m128i, keys: __m128i, next: __m128i) -> __m128i {
    // SAFETY: the caller guarantees PCLMULQDQ; the xors are SSE2, baseline
    // on x86_64.
    unsafe {
        let high = _mm_clmulepi64_si128(acc, keys, 0x00);
        let low = _mm_clmulepi64_si128(acc, keys, 0x11);
        _mm_xor_si128(_mm_xor_si128(high, low), next)
    }
}

/// The first 16 bytes of `bytes`, little-endian. Panics if there are fewer
/// (callers slice whole blocks, so the check folds away).
#[inline]
fn load(bytes: &[u8]) -> __m128i {
    let block = &bytes[..BLOCK];
    // SAFETY: `block` is 16 readable bytes and loadu accepts any alignment;
    // SSE2 is baseline on x86_64.
    unsafe { _mm_loadu_si128(block.as_ptr().cast()) }
}

/// Writes `v` to the first 16 bytes of `out`, little-endian. Panics if
/// there are fewer.
#[inline]
fn store(out: &mut [u8], v: __m128i) {
    let block = &mut out[..BLOCK];
    // SAFETY: `block` is 16 writable bytes and storeu accepts any alignment;
    // SSE2 is baseline on x86_64.
    unsafe { _mm_storeu_si128(block.as_mut_ptr().cast(), v) }
}

#[inline]
fn xor(a: __m128i, b: __m128i) -> __m128i {
    // SAFETY: SSE2 is baseline on x86_64.
    unsafe { _mm_xor_si128(a, b) }
}

/// A key pair as a register, `[0]` in lane 0.
#[inline]
fn lanes(pair: [u64; 2]) -> __m128i {
    // SAFETY: SSE2 is baseline on x86_64.
    unsafe { _mm_set_epi64x(pair[1] as i64, pair[0] as i64) }
}
