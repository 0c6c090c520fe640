//! The FILE store's exclusive lock on its datastore: the lock of the Go
//! server (its `util/lockfile_*.go`): `fcntl(F_SETLK, F_WRLCK)` on the
//! whole lock file, never waiting, so that our server and a Go server in
//! FT mode exclude each other; `LockFileEx` on Windows. The lock lives as
//! long as the file is open: [`DirLock`] closes it on unlock or drop.
//!
//! fcntl locks belong to the process, not to the descriptor: a second
//! lock of the same file in this process succeeds, and closing any
//! descriptor of it drops the lock. The TypeScript caller
//! (`src/stores/file/lock.ts`) therefore never locks a directory it
//! already holds.
//!
//! Elsewhere (other Unixes, 32-bit Linux, whose `struct flock` layouts are
//! not declared here) locking fails with `ENOTSUP` and the caller falls
//! back to its pid file.

use crate::slice_io::{IoFailure, IoResult};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

/// A held lock: the open lock file.
pub struct DirLock {
    file: Option<File>,
}

/// What a try to lock found.
pub enum Locked {
    /// This process holds the lock now.
    Held(DirLock),
    /// Another process does: its pid, 0 when the OS does not say.
    Busy(u32),
}

impl DirLock {
    /// Releases the lock (closing the file releases it too).
    pub fn unlock(&mut self) {
        if let Some(f) = self.file.take() {
            // Closing releases it as well; an explicit unlock says so
            // before the descriptor goes, as the Go server does.
            let _ = os::unlock(&f);
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        self.unlock();
    }
}

/// Takes the lock of `path` (created if missing) without waiting. Once
/// held, the file is rewritten with this process's pid, for people and for
/// systems where the OS does not name the holder.
pub fn try_lock(path: PathBuf) -> IoResult<Locked> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        // Not truncated before the lock is ours: the holder's pid stays.
        .truncate(false)
        .open(&path)
        .map_err(|e| IoFailure::new(e, "open", &path))?;
    match os::try_lock(&file) {
        Ok(None) => {}
        Ok(Some(pid)) => return Ok(Locked::Busy(pid)),
        Err(e) => return Err(IoFailure::new(e, "fcntl", &path)),
    }
    let mut f = &file;
    let mine = format!("{}\n", std::process::id());
    // Only a courtesy: the lock is what counts.
    if file.set_len(0).is_ok() {
        let _ = f.write_all(mine.as_bytes());
    }
    Ok(Locked::Held(DirLock { file: Some(file) }))
}

#[cfg(any(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64")), target_os = "macos"))]
mod os {
    use std::fs::File;
    use std::io;
    use std::os::raw::{c_int, c_short};
    use std::os::unix::io::AsRawFd;

    const EAGAIN: i32 = if cfg!(target_os = "macos") { 35 } else { 11 };
    const EACCES: i32 = 13;
    const ENOLCK: i32 = if cfg!(target_os = "macos") { 77 } else { 37 };
    const EINTR: i32 = 4;

    /// Go's transient errors (EAGAIN, EACCES, EINTR, ENOLCK), EINTR aside: it is retried.
    fn is_busy(e: &io::Error) -> bool {
        matches!(e.raw_os_error(), Some(EAGAIN) | Some(EACCES) | Some(ENOLCK))
    }

    /// `struct flock` of 64-bit Linux (glibc and musl).
    #[cfg(target_os = "linux")]
    #[repr(C)]
    struct Flock {
        l_type: c_short,
        l_whence: c_short,
        l_start: i64,
        l_len: i64,
        l_pid: c_int,
    }
    #[cfg(target_os = "linux")]
    const CMD: (c_int, c_int) = (5, 6); // F_GETLK, F_SETLK
    #[cfg(target_os = "linux")]
    const TYPE: (c_short, c_short) = (1, 2); // F_WRLCK, F_UNLCK

    /// `struct flock` of macOS.
    #[cfg(target_os = "macos")]
    #[repr(C)]
    struct Flock {
        l_start: i64,
        l_len: i64,
        l_pid: c_int,
        l_type: c_short,
        l_whence: c_short,
    }
    #[cfg(target_os = "macos")]
    const CMD: (c_int, c_int) = (7, 8); // F_GETLK, F_SETLK
    #[cfg(target_os = "macos")]
    const TYPE: (c_short, c_short) = (3, 2); // F_WRLCK, F_UNLCK

    extern "C" {
        fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    }

    /// The whole file (l_len 0 = to its end, however it grows), from SEEK_SET.
    fn whole(l_type: c_short) -> Flock {
        Flock { l_type, l_whence: 0, l_start: 0, l_len: 0, l_pid: 0 }
    }

    fn fcntl_lock(f: &File, cmd: c_int, spec: &mut Flock) -> io::Result<()> {
        loop {
            // SAFETY: the fd belongs to `f`, open for the call; `spec` is a
            // valid struct flock of this platform's layout, which fcntl
            // reads (F_SETLK) or overwrites (F_GETLK).
            let r = unsafe { fcntl(f.as_raw_fd(), cmd, spec as *mut Flock) };
            if r != -1 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(EINTR) {
                return Err(e);
            }
        }
    }

    /// None once locked; Some(pid of the holder, 0 if unknown) when busy.
    pub fn try_lock(f: &File) -> io::Result<Option<u32>> {
        // The holder may let go between the two calls: try again then.
        for _ in 0..3 {
            match fcntl_lock(f, CMD.1, &mut whole(TYPE.0)) {
                Ok(()) => return Ok(None),
                Err(e) if is_busy(&e) => {}
                Err(e) => return Err(e),
            }
            let mut probe = whole(TYPE.0);
            fcntl_lock(f, CMD.0, &mut probe)?;
            if probe.l_type != TYPE.1 {
                return Ok(Some(probe.l_pid.max(0) as u32));
            }
        }
        Ok(Some(0))
    }

    pub fn unlock(f: &File) -> io::Result<()> {
        fcntl_lock(f, CMD.1, &mut whole(TYPE.1))
    }
}

#[cfg(windows)]
mod os {
    use std::fs::File;
    use std::io;
    use std::os::raw::c_void;
    use std::os::windows::io::AsRawHandle;

    const ERROR_LOCK_VIOLATION: i32 = 33;
    const LOCKFILE_FAIL_IMMEDIATELY: u32 = 0x1;
    const LOCKFILE_EXCLUSIVE_LOCK: u32 = 0x2;

    /// `OVERLAPPED`; its offset words say where the locked range starts.
    #[repr(C)]
    struct Overlapped {
        internal: usize,
        internal_high: usize,
        offset: u32,
        offset_high: u32,
        h_event: *mut c_void,
    }

    #[link(name = "kernel32")]
    extern "system" {
        fn LockFileEx(file: *mut c_void, flags: u32, reserved: u32, low: u32, high: u32, ov: *mut Overlapped) -> i32;
        fn UnlockFileEx(file: *mut c_void, reserved: u32, low: u32, high: u32, ov: *mut Overlapped) -> i32;
    }

    fn from_start() -> Overlapped {
        Overlapped { internal: 0, internal_high: 0, offset: 0, offset_high: 0, h_event: std::ptr::null_mut() }
    }

    /// None once locked; Some(0) when another process holds it (Windows
    /// does not say who).
    pub fn try_lock(f: &File) -> io::Result<Option<u32>> {
        let mut ov = from_start();
        // SAFETY: the handle belongs to `f`, open (synchronous I/O) for the
        // call; `ov` is a valid OVERLAPPED; the range is the whole file.
        let ok = unsafe {
            LockFileEx(f.as_raw_handle() as *mut c_void, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, u32::MAX, u32::MAX, &mut ov)
        };
        if ok != 0 {
            return Ok(None);
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(ERROR_LOCK_VIOLATION) {
            return Ok(Some(0));
        }
        Err(e)
    }

    pub fn unlock(f: &File) -> io::Result<()> {
        let mut ov = from_start();
        // SAFETY: as in try_lock, for the range locked there.
        let ok = unsafe { UnlockFileEx(f.as_raw_handle() as *mut c_void, 0, u32::MAX, u32::MAX, &mut ov) };
        if ok != 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

#[cfg(not(any(
    all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64")),
    target_os = "macos",
    windows
)))]
mod os {
    use std::fs::File;
    use std::io;

    fn unsupported() -> io::Error {
        io::Error::new(io::ErrorKind::Unsupported, "no OS lock on this platform")
    }

    pub fn try_lock(_f: &File) -> io::Result<Option<u32>> {
        Err(unsupported())
    }

    pub fn unlock(_f: &File) -> io::Result<()> {
        Err(unsupported())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn lock_writes_the_pid_and_unlock_releases() {
        let p = std::env::temp_dir().join(format!("dir-lock-{}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        match try_lock(p.clone()) {
            Ok(Locked::Held(mut l)) => {
                assert_eq!(std::fs::read_to_string(&p).unwrap(), format!("{}\n", std::process::id()));
                l.unlock();
                l.unlock();
            }
            Ok(Locked::Busy(_)) => panic!("a new lock file is busy"),
            Err(f) => assert_eq!(f.err.kind(), io::ErrorKind::Unsupported),
        }
        std::fs::remove_file(&p).unwrap();
    }
}
