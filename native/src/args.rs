//! Argument and return conversion for the exported functions: the one
//! place where JS values become Rust references. Every failure becomes a
//! thrown `TypeError` through [`call`]; nothing here decides behaviour.

use crate::sys::*;
use std::os::raw::{c_char, c_void};
use std::ptr;

/// Most arguments any export takes.
const MAX_ARGS: usize = 6;
/// Strings up to this many bytes (subjects, in practice) are read into a
/// stack buffer; longer ones take one allocation.
const STACK_STR: usize = 256;

/// A conversion failure, reported to JS as a TypeError with this text.
pub struct Fail(pub &'static str);

/// What an export returns to JS.
pub enum Ret<'a> {
    U32(u32),
    I32(i32),
    F64(f64),
    Bool(bool),
    Undefined,
    /// A new Buffer holding a copy of the bytes.
    Copy(&'a [u8]),
    /// A value made by the export itself (an external).
    Value(napi_value),
    /// The export threw (an exception is pending): return nothing.
    Thrown,
}

/// The arguments of one call.
pub struct Args {
    pub env: napi_env,
    argv: [napi_value; MAX_ARGS],
    argc: usize,
}

/// Runs an export body, converting its result or failure for JS.
///
/// # Safety
/// `env` and `info` must be the ones Node passed to the callback.
pub unsafe fn call<F>(env: napi_env, info: napi_callback_info, body: F) -> napi_value
where
    F: for<'a> FnOnce(&'a Args) -> Result<Ret<'a>, Fail>,
{
    let mut a = Args { env, argv: [ptr::null_mut(); MAX_ARGS], argc: MAX_ARGS };
    // SAFETY: argv has room for argc values, as napi_get_cb_info requires.
    let st = unsafe {
        napi_get_cb_info(env, info, &mut a.argc, a.argv.as_mut_ptr(), ptr::null_mut(), ptr::null_mut())
    };
    if st != STATUS_OK {
        // SAFETY: env is live for the duration of the callback.
        return unsafe { throw(env, "cannot read the arguments") };
    }
    a.argc = a.argc.min(MAX_ARGS);
    let result = body(&a);
    // SAFETY: env is live for the duration of the callback.
    unsafe {
        match result {
            Ok(r) => ret(env, r),
            Err(Fail(msg)) => throw(env, msg),
        }
    }
}

unsafe fn throw(env: napi_env, msg: &str) -> napi_value {
    let mut text = Vec::with_capacity(msg.len() + 1);
    text.extend_from_slice(msg.as_bytes());
    text.push(0);
    // SAFETY: both strings are NUL-terminated; a null code is allowed.
    unsafe { napi_throw_type_error(env, ptr::null(), text.as_ptr() as *const c_char) };
    ptr::null_mut()
}

unsafe fn ret(env: napi_env, r: Ret) -> napi_value {
    let mut v: napi_value = ptr::null_mut();
    // SAFETY: `v` is a valid out-pointer; the calls only write a handle.
    let st = unsafe {
        match r {
            Ret::U32(n) => napi_create_uint32(env, n, &mut v),
            Ret::I32(n) => napi_create_int32(env, n, &mut v),
            Ret::F64(n) => napi_create_double(env, n, &mut v),
            Ret::Bool(b) => napi_get_boolean(env, b, &mut v),
            Ret::Undefined => napi_get_undefined(env, &mut v),
            Ret::Copy(bytes) => {
                let mut data: *mut c_void = ptr::null_mut();
                napi_create_buffer_copy(env, bytes.len(), bytes.as_ptr() as *const c_void, &mut data, &mut v)
            }
            Ret::Value(val) => {
                v = val;
                STATUS_OK
            }
            Ret::Thrown => return ptr::null_mut(),
        }
    };
    if st != STATUS_OK {
        // SAFETY: as above.
        return unsafe { throw(env, "cannot create the return value") };
    }
    v
}

/// Moves `value` into a JS external that drops it when collected.
pub fn external<T>(env: napi_env, value: T) -> Result<Ret<'static>, Fail> {
    unsafe extern "C" fn finalize<T>(_env: napi_env, data: *mut c_void, _hint: *mut c_void) {
        // SAFETY: `data` is the Box<T> leaked below, finalized exactly once.
        drop(unsafe { Box::from_raw(data as *mut T) });
    }
    let raw = Box::into_raw(Box::new(value));
    let mut v: napi_value = ptr::null_mut();
    // SAFETY: `raw` stays valid until the finalizer runs; `v` is an out-pointer.
    let st = unsafe { napi_create_external(env, raw as *mut c_void, Some(finalize::<T>), ptr::null_mut(), &mut v) };
    if st != STATUS_OK {
        // SAFETY: the external was not created, so we still own `raw`.
        drop(unsafe { Box::from_raw(raw) });
        return Err(Fail("cannot create an external"));
    }
    Ok(Ret::Value(v))
}

/// A string argument as UTF-8 bytes.
pub struct Utf8 {
    stack: [u8; STACK_STR],
    heap: Vec<u8>,
    len: usize,
    on_heap: bool,
}

impl Utf8 {
    pub fn new() -> Utf8 {
        Utf8 { stack: [0; STACK_STR], heap: Vec::new(), len: 0, on_heap: false }
    }
    pub fn bytes(&self) -> &[u8] {
        if self.on_heap {
            &self.heap[..self.len]
        } else {
            &self.stack[..self.len]
        }
    }
}

impl Args {
    /// The value of argument `i` as it is (to keep a reference to it).
    pub fn value(&self, i: usize) -> Result<napi_value, Fail> {
        self.arg(i)
    }

    fn arg(&self, i: usize) -> Result<napi_value, Fail> {
        if i < self.argc {
            Ok(self.argv[i])
        } else {
            Err(Fail("missing argument"))
        }
    }

    fn type_of(&self, i: usize) -> napi_valuetype {
        let mut t = TYPE_UNDEFINED;
        if i < self.argc {
            // SAFETY: argv[i] is a live handle of this call; `t` is an out-pointer.
            unsafe { napi_typeof(self.env, self.argv[i], &mut t) };
        }
        t
    }

    /// True for undefined, null or a missing argument.
    pub fn is_nullish(&self, i: usize) -> bool {
        matches!(self.type_of(i), TYPE_UNDEFINED | TYPE_NULL)
    }

    /// The Rust value inside an external made by [`external`] with type T.
    ///
    /// # Safety
    /// The external at `i` must have been created with `external::<T>`, and
    /// no other reference to it may be alive during this call (JS is single
    /// threaded and the exports call no JS).
    // The reference points into memory owned by JS, not into `self`; its
    // exclusivity is the caller's obligation (see # Safety).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn external<T>(&self, i: usize) -> Result<&mut T, Fail> {
        // SAFETY: the caller's contract, for the value at `i`.
        unsafe { self.external_of(self.arg(i)?) }
    }

    pub fn u32(&self, i: usize) -> Result<u32, Fail> {
        let mut n = 0u32;
        // SAFETY: handle of this call; `n` is an out-pointer.
        let st = unsafe { napi_get_value_uint32(self.env, self.arg(i)?, &mut n) };
        if st != STATUS_OK {
            return Err(Fail("expected a number"));
        }
        Ok(n)
    }

    pub fn bool(&self, i: usize) -> Result<bool, Fail> {
        let mut b = false;
        // SAFETY: handle of this call; `b` is an out-pointer.
        let st = unsafe { napi_get_value_bool(self.env, self.arg(i)?, &mut b) };
        if st != STATUS_OK {
            return Err(Fail("expected a boolean"));
        }
        Ok(b)
    }

    fn typed(&self, i: usize, want: napi_typedarray_type, what: &'static str) -> Result<(*mut c_void, usize), Fail> {
        self.typed_value(self.arg(i)?, want, what)
    }

    fn typed_value(&self, v: napi_value, want: napi_typedarray_type, what: &'static str) -> Result<(*mut c_void, usize), Fail> {
        let mut kind = -1;
        let mut len = 0usize;
        let mut data: *mut c_void = ptr::null_mut();
        // SAFETY: a live handle of this call; all out-pointers are valid or null.
        let st = unsafe {
            napi_get_typedarray_info(self.env, v, &mut kind, &mut len, &mut data, ptr::null_mut(), ptr::null_mut())
        };
        if st != STATUS_OK || kind != want {
            return Err(Fail(what));
        }
        if len == 0 || data.is_null() {
            // An empty view may have no backing store: use a dangling, aligned pointer.
            return Ok((ptr::NonNull::<u64>::dangling().as_ptr() as *mut c_void, 0));
        }
        Ok((data, len))
    }

    /// A Uint8Array (or Buffer) argument, read-only.
    ///
    /// # Safety
    /// No mutable view of the same memory may be used during the call.
    pub unsafe fn bytes(&self, i: usize) -> Result<&[u8], Fail> {
        // SAFETY: the caller's contract, for the value at `i`.
        unsafe { self.bytes_of(self.arg(i)?) }
    }

    /// A Uint8Array (or Buffer) argument, writable.
    ///
    /// # Safety
    /// No other view of the same memory may be used during the call.
    // The reference points into memory owned by JS, not into `self`; its
    // exclusivity is the caller's obligation (see # Safety).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn bytes_mut(&self, i: usize) -> Result<&mut [u8], Fail> {
        let (data, len) = self.typed(i, TYPEDARRAY_UINT8, "expected a Uint8Array")?;
        // SAFETY: as in `bytes_of`.
        Ok(unsafe { std::slice::from_raw_parts_mut(data as *mut u8, len) })
    }

    /// The elements of an array argument.
    pub fn array(&self, i: usize) -> Result<Vec<napi_value>, Fail> {
        let arr = self.arg(i)?;
        let mut n = 0u32;
        // SAFETY: a live handle of this call; `n` is an out-pointer.
        if unsafe { napi_get_array_length(self.env, arr, &mut n) } != STATUS_OK {
            return Err(Fail("expected an array"));
        }
        let mut out = Vec::with_capacity(n as usize);
        for k in 0..n {
            let mut v: napi_value = ptr::null_mut();
            // SAFETY: as above; `v` is an out-pointer.
            if unsafe { napi_get_element(self.env, arr, k, &mut v) } != STATUS_OK {
                return Err(Fail("cannot read an array element"));
            }
            out.push(v);
        }
        Ok(out)
    }

    /// A Uint8Array value of this call (an argument or an element of an
    /// array argument, see [`Args::array`]), read-only.
    ///
    /// # Safety
    /// `v` must be a handle of this call; no mutable view of the same memory
    /// may be used while the slice lives (V8 keeps it alive for the call).
    pub unsafe fn bytes_of(&self, v: napi_value) -> Result<&[u8], Fail> {
        let (data, len) = self.typed_value(v, TYPEDARRAY_UINT8, "expected a Uint8Array")?;
        // SAFETY: V8 keeps the array alive for the call; data/len describe it
        // (already adjusted by the byte offset).
        Ok(unsafe { std::slice::from_raw_parts(data as *const u8, len) })
    }

    /// The Rust value inside an external value of this call (an argument or
    /// an element of an array argument).
    ///
    /// # Safety
    /// As [`Args::external`], for `v`.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn external_of<T>(&self, v: napi_value) -> Result<&mut T, Fail> {
        let mut data: *mut c_void = ptr::null_mut();
        // SAFETY: a live handle of this call; `data` is an out-pointer.
        let st = unsafe { napi_get_value_external(self.env, v, &mut data) };
        if st != STATUS_OK || data.is_null() {
            return Err(Fail("expected a handle made by this addon"));
        }
        // SAFETY: per the caller's contract, `data` is a live Box<T>.
        Ok(unsafe { &mut *(data as *mut T) })
    }

    /// A number argument (any double: file offsets pass 2^32).
    pub fn f64(&self, i: usize) -> Result<f64, Fail> {
        let mut n = 0f64;
        // SAFETY: handle of this call; `n` is an out-pointer.
        let st = unsafe { napi_get_value_double(self.env, self.arg(i)?, &mut n) };
        if st != STATUS_OK {
            return Err(Fail("expected a number"));
        }
        Ok(n)
    }

    /// A non-negative integer argument up to 2^53 (a file offset or length).
    pub fn offset(&self, i: usize) -> Result<u64, Fail> {
        let n = self.f64(i)?;
        if !(0.0..=9_007_199_254_740_991.0).contains(&n) || n.fract() != 0.0 {
            return Err(Fail("expected a non-negative integer offset"));
        }
        Ok(n as u64)
    }

    /// A Uint32Array argument, writable.
    ///
    /// # Safety
    /// No other view of the same memory may be used during the call.
    // The reference points into memory owned by JS, not into `self`; its
    // exclusivity is the caller's obligation (see # Safety).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn u32s(&self, i: usize) -> Result<&mut [u32], Fail> {
        let (data, len) = self.typed(i, TYPEDARRAY_UINT32, "expected a Uint32Array")?;
        // SAFETY: as in `bytes_of`; V8 aligns typed arrays to their element size.
        Ok(unsafe { std::slice::from_raw_parts_mut(data as *mut u32, len) })
    }

    /// A Float64Array argument, writable.
    ///
    /// # Safety
    /// No other view of the same memory may be used during the call.
    // The reference points into memory owned by JS, not into `self`; its
    // exclusivity is the caller's obligation (see # Safety).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn f64s(&self, i: usize) -> Result<&mut [f64], Fail> {
        let (data, len) = self.typed(i, TYPEDARRAY_FLOAT64, "expected a Float64Array")?;
        // SAFETY: as in `u32s`.
        Ok(unsafe { std::slice::from_raw_parts_mut(data as *mut f64, len) })
    }

    /// A string argument, read into `buf` as UTF-8.
    pub fn str_into<'b>(&self, i: usize, buf: &'b mut Utf8) -> Result<&'b [u8], Fail> {
        if self.type_of(i) != TYPE_STRING {
            return Err(Fail("expected a string"));
        }
        self.str_of(self.arg(i)?, buf)
    }

    /// A string element of an array argument, read into `buf` as UTF-8.
    pub fn str_of<'b>(&self, v: napi_value, buf: &'b mut Utf8) -> Result<&'b [u8], Fail> {
        let mut t = TYPE_UNDEFINED;
        // SAFETY: a live handle of this call; `t` is an out-pointer.
        unsafe { napi_typeof(self.env, v, &mut t) };
        if t != TYPE_STRING {
            return Err(Fail("expected a string"));
        }
        let mut len = 0usize;
        // SAFETY: the buffer pointer and size describe `buf.stack`; Node
        // writes at most size-1 bytes plus a NUL and reports the count.
        unsafe {
            napi_get_value_string_utf8(self.env, v, buf.stack.as_mut_ptr() as *mut c_char, STACK_STR, &mut len)
        };
        // Node copies whole characters only: a result this short cannot
        // have been cut (the longest UTF-8 character is 4 bytes).
        if len < STACK_STR - 4 {
            buf.len = len;
            buf.on_heap = false;
            return Ok(buf.bytes());
        }
        // Possibly truncated: ask for the length, then read it whole.
        // SAFETY: a null buffer asks only for the length.
        unsafe { napi_get_value_string_utf8(self.env, v, ptr::null_mut(), 0, &mut len) };
        buf.heap.resize(len + 1, 0);
        // SAFETY: `heap` has len+1 bytes.
        unsafe { napi_get_value_string_utf8(self.env, v, buf.heap.as_mut_ptr() as *mut c_char, len + 1, &mut len) };
        buf.len = len;
        buf.on_heap = true;
        Ok(buf.bytes())
    }
}
