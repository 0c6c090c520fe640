//! The exports of the FILE store's I/O (`slice_io.rs`, `dir_lock.rs`),
//! glue only: `src/stores/file/io-native.ts` and `lock.ts` wrap them. One
//! call per file per commit (`fileWrite` takes the whole batch), one
//! Promise per commit (`fileSync`) and per batch read (`fileReadAsync`).

use crate::args::{call, external, Args, Fail, Ret, Utf8};
use crate::async_work::{self, Job};
use crate::errors::{io_error, throw_io};
use crate::dir_lock::{self, DirLock, Locked};
use crate::slice_io::{IoFailure, PendingRead, SliceFile, SyncJob};
use crate::sys::*;
use std::path::PathBuf;

fn path_from(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Turns an I/O outcome into the export's return, throwing on failure.
///
/// # Safety
/// `env` must be the live env of the current export call.
unsafe fn io_ret<'a, T>(env: napi_env, r: Result<T, IoFailure>, ok: impl FnOnce(T) -> Ret<'a>) -> Result<Ret<'a>, Fail> {
    match r {
        Ok(v) => Ok(ok(v)),
        // SAFETY: per this function's contract.
        Err(f) => Ok(unsafe { thrown(env, &f) }),
    }
}

/// Throws the Error for `f`; the export then returns nothing.
///
/// # Safety
/// `env` must be the live env of the current export call.
unsafe fn thrown<'a>(env: napi_env, f: &IoFailure) -> Ret<'a> {
    // SAFETY: per this function's contract.
    unsafe { throw_io(env, f) };
    Ret::Thrown
}

/// fileOpen(path, create): a handle, or throws ENOENT/EEXIST/... as node:fs.
pub unsafe extern "C" fn file_open(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node for this callback.
    unsafe {
        call(env, info, |a| {
            let mut s = Utf8::new();
            let path = path_from(a.str_into(0, &mut s)?);
            match SliceFile::open(path, a.bool(1)?) {
                Ok(f) => external(a.env, f),
                Err(f) => Ok(thrown(a.env, &f)),
            }
        })
    }
}

/// fileWrite(handle, views, pos): writes the views back to back at pos;
/// returns the byte count (all of them, or it throws).
pub unsafe extern "C" fn file_write(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by fileOpen; the
    // views are only read, and JS runs nothing while the call lasts.
    unsafe {
        call(env, info, |a| {
            let f = a.external::<SliceFile>(0)?;
            let items = a.array(1)?;
            let mut views: Vec<&[u8]> = Vec::with_capacity(items.len());
            for v in items {
                views.push(a.bytes_of(v)?);
            }
            let pos = a.offset(2)?;
            io_ret(a.env, f.write_all_at(&views, pos), |n| Ret::F64(n as f64))
        })
    }
}

/// The arguments (handle, buf, off, len, pos) of a read: the file, the
/// bytes buf[off, off+len) to read into, the file position.
///
/// # Safety
/// As [`Args::external`] for the handle and [`Args::bytes_mut`] for buf.
// The references point into memory owned by JS, not into `a`; their
// exclusivity is the caller's obligation (see # Safety).
#[allow(clippy::mut_from_ref)]
unsafe fn read_args(a: &Args) -> Result<(&mut SliceFile, &mut [u8], u64), Fail> {
    // SAFETY: per this function's contract.
    let (f, buf) = unsafe { (a.external::<SliceFile>(0)?, a.bytes_mut(1)?) };
    let (off, len) = (a.u32(2)? as usize, a.u32(3)? as usize);
    let end = off.checked_add(len).filter(|&e| e <= buf.len()).ok_or(Fail("read range outside the buffer"))?;
    Ok((f, &mut buf[off..end], a.offset(4)?))
}

/// fileRead(handle, buf, off, len, pos): bytes read into buf[off, off+len),
/// fewer only at end of file.
pub unsafe extern "C" fn file_read(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by fileOpen; the
    // buffer is written only within this call.
    unsafe {
        call(env, info, |a| {
            let (f, into, pos) = read_args(a)?;
            io_ret(a.env, f.read_at(into, pos), |n| Ret::U32(n as u32))
        })
    }
}

/// fileSize(handle): the size on disk.
pub unsafe extern "C" fn file_size(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by fileOpen.
    unsafe { call(env, info, |a| io_ret(a.env, a.external::<SliceFile>(0)?.size(), |n| Ret::F64(n as f64))) }
}

/// fileTruncate(handle, len).
pub unsafe extern "C" fn file_truncate(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by fileOpen.
    unsafe {
        call(env, info, |a| {
            let f = a.external::<SliceFile>(0)?;
            io_ret(a.env, f.truncate(a.offset(1)?), |_| Ret::Undefined)
        })
    }
}

/// fileDatasync(handle): fdatasync on the JS thread (recovery only).
pub unsafe extern "C" fn file_datasync(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by fileOpen.
    unsafe { call(env, info, |a| io_ret(a.env, a.external::<SliceFile>(0)?.sync_data(), |_| Ret::Undefined)) }
}

/// fileClose(handle): closes now (a sync in flight keeps the descriptor
/// until it is done); later calls on the handle fail with EBADF.
pub unsafe extern "C" fn file_close(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by fileOpen.
    unsafe {
        call(env, info, |a| {
            a.external::<SliceFile>(0)?.close();
            Ok(Ret::Undefined)
        })
    }
}

impl Job for SyncJob {
    type Output = Result<(), IoFailure>;
    fn run(&mut self) -> Self::Output {
        SyncJob::run(self)
    }
    unsafe fn settle(out: Self::Output, env: napi_env) -> Result<napi_value, napi_value> {
        let mut undefined: napi_value = std::ptr::null_mut();
        // SAFETY: env is live (the trait's contract).
        unsafe {
            match out {
                Ok(()) => {
                    napi_get_undefined(env, &mut undefined);
                    Ok(undefined)
                }
                Err(f) => Err(io_error(env, &f)),
            }
        }
    }
}

/// fileSync(handles, dirs, dataOnly): a Promise resolved once every file is
/// synced (fdatasync, or fsync when !dataOnly) and then every directory
/// fsynced, on a libuv worker thread; rejected with the first failure.
pub unsafe extern "C" fn file_sync(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handles were made by fileOpen.
    unsafe {
        call(env, info, |a| {
            let mut files = Vec::new();
            for v in a.array(0)? {
                let f = a.external_of::<SliceFile>(v)?;
                match f.share() {
                    Ok(shared) => files.push((shared, f.path.clone())),
                    Err(fail) => return Ok(thrown(a.env, &fail)),
                }
            }
            let mut dirs = Vec::new();
            let mut s = Utf8::new();
            for v in a.array(1)? {
                dirs.push(path_from(a.str_of(v, &mut s)?));
            }
            let job = SyncJob { files, dirs, data_only: a.bool(2)? };
            match async_work::queue(a.env, b"stan.fileSync\0", job) {
                Some(p) => Ok(Ret::Value(p)),
                None => Err(Fail("cannot queue the sync")),
            }
        })
    }
}

/// A read into a JS buffer, and the reference that keeps the buffer alive
/// until the read is settled.
struct ReadInto {
    read: PendingRead,
    keep: napi_ref,
}

// SAFETY: `keep` is used on the JS thread only (`release`); the worker
// thread touches `read` only, which is Send.
unsafe impl Send for ReadInto {}

impl Job for ReadInto {
    type Output = Result<usize, IoFailure>;
    fn run(&mut self) -> Self::Output {
        self.read.run()
    }
    unsafe fn settle(out: Self::Output, env: napi_env) -> Result<napi_value, napi_value> {
        let mut v: napi_value = std::ptr::null_mut();
        // SAFETY: env is live (the trait's contract).
        unsafe {
            match out {
                Ok(n) => {
                    napi_create_double(env, n as f64, &mut v);
                    Ok(v)
                }
                Err(f) => Err(io_error(env, &f)),
            }
        }
    }
    unsafe fn release(&mut self, env: napi_env) {
        // SAFETY: env is live (the trait's contract); the reference was
        // made by file_read_async and is deleted once, here.
        unsafe { napi_delete_reference(env, self.keep) };
    }
}

/// fileReadAsync(handle, buf, off, len, pos): a Promise of the bytes read
/// into buf[off, off+len) from pos (fewer only at end of file), read on a
/// libuv worker thread. The caller leaves buf alone (no reads, no writes,
/// no transfer) until the Promise settles; the addon keeps it alive.
pub unsafe extern "C" fn file_read_async(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by fileOpen; the
    // buffer's memory is written later by the worker thread only, under the
    // contract above, and kept alive by the reference made here.
    unsafe {
        call(env, info, |a| {
            let (f, into, pos) = read_args(a)?;
            let read = match f.pending_read(into.as_mut_ptr(), into.len(), pos) {
                Ok(r) => r,
                Err(fail) => return Ok(thrown(a.env, &fail)),
            };
            let mut keep: napi_ref = std::ptr::null_mut();
            if napi_create_reference(a.env, a.value(1)?, 1, &mut keep) != STATUS_OK {
                return Err(Fail("cannot keep the buffer"));
            }
            match async_work::queue(a.env, b"stan.fileRead\0", ReadInto { read, keep }) {
                Some(p) => Ok(Ret::Value(p)),
                None => Err(Fail("cannot queue the read")),
            }
        })
    }
}

/// fileLock(path): a lock handle once this process holds the exclusive
/// lock of `path` (created if missing), or the pid of the process holding
/// it (0 when the OS does not say); never waits. Throws on failure
/// (`ENOTSUP` where there is no OS lock).
pub unsafe extern "C" fn file_lock(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node for this callback.
    unsafe {
        call(env, info, |a| {
            let mut s = Utf8::new();
            let path = path_from(a.str_into(0, &mut s)?);
            match dir_lock::try_lock(path) {
                Ok(Locked::Held(l)) => external(a.env, l),
                Ok(Locked::Busy(pid)) => Ok(Ret::U32(pid)),
                Err(f) => Ok(thrown(a.env, &f)),
            }
        })
    }
}

/// fileUnlock(handle): releases a lock taken by fileLock (again: nothing).
pub unsafe extern "C" fn file_unlock(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: env/info come from Node; the handle was made by fileLock.
    unsafe {
        call(env, info, |a| {
            a.external::<DirLock>(0)?.unlock();
            Ok(Ret::Undefined)
        })
    }
}
