//! I/O failures as JS `Error`s shaped like node:fs's: `code` is the errno
//! name (`ENOENT`, `EIO`, ...) and the message reads
//! `EIO: i/o error, fsync '/path'`, so the store handles both I/O backends'
//! errors alike.

use crate::slice_io::IoFailure;
use crate::sys::*;
use std::io;
use std::os::raw::c_char;
use std::ptr;

/// A JS Error with `code` and `message` (a null value if Node cannot make one).
///
/// # Safety
/// `env` must be live.
pub unsafe fn error(env: napi_env, code: &str, message: &str) -> napi_value {
    let mut c: napi_value = ptr::null_mut();
    let mut m: napi_value = ptr::null_mut();
    let mut e: napi_value = ptr::null_mut();
    // SAFETY: pointer/length pairs describe the strings; out-pointers are valid.
    unsafe {
        napi_create_string_utf8(env, code.as_ptr() as *const c_char, code.len(), &mut c);
        napi_create_string_utf8(env, message.as_ptr() as *const c_char, message.len(), &mut m);
        napi_create_error(env, c, m, &mut e);
    }
    e
}

/// The Error for a failed file operation.
///
/// # Safety
/// `env` must be live.
pub unsafe fn io_error(env: napi_env, f: &IoFailure) -> napi_value {
    let code = errno_name(&f.err);
    let text = description(&f.err);
    let msg = format!("{}: {}, {} '{}'", code, text, f.syscall, f.path.display());
    // SAFETY: env is live (caller's contract).
    unsafe { error(env, code, &msg) }
}

/// Throws the Error for a failed file operation; returns null for the export.
///
/// # Safety
/// `env` must be live, on the JS thread, inside an export.
pub unsafe fn throw_io(env: napi_env, f: &IoFailure) -> napi_value {
    // SAFETY: as above.
    unsafe { napi_throw(env, io_error(env, f)) };
    ptr::null_mut()
}

/// The OS's text without Rust's ` (os error N)` suffix, lower-cased as libuv's.
fn description(e: &io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => &s[..i],
        None => &s[..],
    };
    s.to_lowercase()
}

/// The errno name node:fs would give the same failure.
fn errno_name(e: &io::Error) -> &'static str {
    #[cfg(target_os = "linux")]
    if let Some(n) = e.raw_os_error() {
        let name = match n {
            1 => "EPERM",
            2 => "ENOENT",
            4 => "EINTR",
            5 => "EIO",
            9 => "EBADF",
            11 => "EAGAIN",
            12 => "ENOMEM",
            13 => "EACCES",
            17 => "EEXIST",
            20 => "ENOTDIR",
            21 => "EISDIR",
            22 => "EINVAL",
            23 => "ENFILE",
            24 => "EMFILE",
            27 => "EFBIG",
            28 => "ENOSPC",
            30 => "EROFS",
            122 => "EDQUOT",
            _ => "",
        };
        if !name.is_empty() {
            return name;
        }
    }
    match e.kind() {
        io::ErrorKind::NotFound => "ENOENT",
        io::ErrorKind::AlreadyExists => "EEXIST",
        io::ErrorKind::PermissionDenied => "EACCES",
        io::ErrorKind::Interrupted => "EINTR",
        io::ErrorKind::InvalidInput => "EINVAL",
        io::ErrorKind::Unsupported => "ENOTSUP",
        _ => "EIO",
    }
}
