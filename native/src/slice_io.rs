//! File I/O of the FILE store's slices (and its other append-only files):
//! positional batch writes, positional reads, and the durable-sync step of
//! a group commit, which runs on a libuv worker thread (see `async_work.rs`)
//! while the JS thread keeps serving.
//!
//! Plain `std::fs` only (crates.io is not reachable). The WASM build has no
//! file system; the same format goes through node:fs there
//! (`src/stores/file/io-node.ts`).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open file of the store. The `File` is shared with sync jobs in
/// flight, so closing the handle while one runs only closes the descriptor
/// when that job lets go of it.
pub struct SliceFile {
    file: Option<Arc<File>>,
    pub path: PathBuf,
}

/// What failed, for the error thrown to JS: the syscall name and the path.
pub struct IoFailure {
    pub err: io::Error,
    pub syscall: &'static str,
    pub path: PathBuf,
}

impl IoFailure {
    pub fn new(err: io::Error, syscall: &'static str, path: &Path) -> IoFailure {
        IoFailure { err, syscall, path: path.to_path_buf() }
    }
}

pub type IoResult<T> = Result<T, IoFailure>;

impl SliceFile {
    /// Opens `path` read-write; `create` makes a new file and fails if it exists
    /// (node's `wx+`), else the file must exist (`r+`).
    pub fn open(path: PathBuf, create: bool) -> IoResult<SliceFile> {
        let mut o = OpenOptions::new();
        o.read(true).write(true);
        if create {
            o.create_new(true);
        }
        match o.open(&path) {
            Ok(f) => Ok(SliceFile { file: Some(Arc::new(f)), path }),
            Err(e) => Err(IoFailure::new(e, "open", &path)),
        }
    }

    fn file(&self, syscall: &'static str) -> IoResult<&Arc<File>> {
        match &self.file {
            Some(f) => Ok(f),
            None => Err(IoFailure::new(io::Error::from_raw_os_error(EBADF), syscall, &self.path)),
        }
    }

    /// A reference to the file for a sync job (keeps the descriptor open).
    pub fn share(&self) -> IoResult<Arc<File>> {
        self.file("fsync").map(Arc::clone)
    }

    /// Closes the handle (the descriptor closes once no sync job holds it).
    pub fn close(&mut self) {
        self.file = None;
    }

    pub fn size(&self) -> IoResult<u64> {
        let f = self.file("fstat")?;
        f.metadata().map(|m| m.len()).map_err(|e| IoFailure::new(e, "fstat", &self.path))
    }

    pub fn truncate(&self, len: u64) -> IoResult<()> {
        let f = self.file("ftruncate")?;
        f.set_len(len).map_err(|e| IoFailure::new(e, "ftruncate", &self.path))
    }

    /// fdatasync on the calling thread (recovery, before anything is served).
    pub fn sync_data(&self) -> IoResult<()> {
        let f = self.file("fdatasync")?;
        f.sync_data().map_err(|e| IoFailure::new(e, "fdatasync", &self.path))
    }

    /// Writes every buffer, in order, from `pos` on: one `pwritev` for the
    /// whole batch where the platform has it, continued after short writes.
    pub fn write_all_at(&self, bufs: &[&[u8]], pos: u64) -> IoResult<u64> {
        let f = self.file("write")?;
        write_vectored_at(f, bufs, pos).map_err(|e| IoFailure::new(e, "write", &self.path))
    }

    /// Reads up to `buf.len()` bytes at `pos`; fewer only at end of file.
    pub fn read_at(&self, buf: &mut [u8], pos: u64) -> IoResult<usize> {
        let f = self.file("read")?;
        read_full_at(f, buf, pos).map_err(|e| IoFailure::new(e, "read", &self.path))
    }

    /// A read of `len` bytes at `pos` into memory the caller provides, to
    /// run on a worker thread (the file stays open while it runs).
    pub fn pending_read(&self, into: *mut u8, len: usize, pos: u64) -> IoResult<PendingRead> {
        let file = Arc::clone(self.file("read")?);
        Ok(PendingRead { file, path: self.path.clone(), into, len, pos })
    }
}

/// Reads up to `buf.len()` bytes at `pos`, going on after short reads;
/// fewer only at end of file.
fn read_full_at(f: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match read_at(f, &mut buf[got..], pos + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// One positional read off the JS thread (`fileReadAsync`): `len` bytes
/// at `pos` into memory owned by a JS buffer.
pub struct PendingRead {
    file: Arc<File>,
    path: PathBuf,
    into: *mut u8,
    len: usize,
    pos: u64,
}

// SAFETY: the only non-Send field is `into`, memory of a JS buffer that the
// creator of the PendingRead keeps alive (a reference) and that nobody
// else reads or writes until the read is settled (the contract of
// `fileReadAsync`): exactly one thread uses it at a time.
unsafe impl Send for PendingRead {}

impl PendingRead {
    /// Does the read (on the worker thread); the byte count.
    pub fn run(&mut self) -> IoResult<usize> {
        if self.len == 0 {
            return Ok(0);
        }
        // SAFETY: `into` points at `len` writable bytes that stay alive and
        // untouched by anyone else while this runs (see the Send impl).
        let buf = unsafe { std::slice::from_raw_parts_mut(self.into, self.len) };
        read_full_at(&self.file, buf, self.pos).map_err(|e| IoFailure::new(e, "read", &self.path))
    }
}

/// The durable step of one commit: data sync of each file, then a full sync
/// of each directory whose entries changed. Runs off the JS thread.
pub struct SyncJob {
    pub files: Vec<(Arc<File>, PathBuf)>,
    pub dirs: Vec<PathBuf>,
    /// fdatasync (true) or fsync (false) for the files.
    pub data_only: bool,
}

impl SyncJob {
    /// The files are synced in parallel (`sync_pool`: the worker thread and
    /// long-lived helpers): concurrent fdatasyncs share the file system's
    /// journal commits, where one after another would each wait for its own.
    /// The job lets go of its files as they are synced.
    pub fn run(&mut self) -> IoResult<()> {
        let files = std::mem::take(&mut self.files);
        if let Err((err, path)) = crate::sync_pool::sync_all(files, self.data_only) {
            return Err(IoFailure { err, syscall: "fsync", path });
        }
        for dir in &self.dirs {
            // A directory removed since (a deleted channel) has nothing left
            // to make durable; some file systems refuse fsync on directories.
            match File::open(dir).and_then(|d| d.sync_all()) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(EINVAL) => {}
                Err(e) => return Err(IoFailure::new(e, "fsync", dir)),
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
const EBADF: i32 = 9;
#[cfg(unix)]
const EINVAL: i32 = 22;
#[cfg(windows)]
const EBADF: i32 = 6; // ERROR_INVALID_HANDLE
#[cfg(windows)]
const EINVAL: i32 = 87; // ERROR_INVALID_PARAMETER

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, pos)
}

#[cfg(windows)]
fn read_at(f: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, pos)
}

#[cfg(unix)]
#[cfg_attr(all(target_os = "linux", target_env = "gnu"), allow(dead_code))] // pwritev64 instead
fn write_at(f: &File, buf: &[u8], pos: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::write_at(f, buf, pos)
}

#[cfg(windows)]
fn write_at(f: &File, buf: &[u8], pos: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_write(f, buf, pos)
}

/// Writes all of `bufs` at `pos`; returns the byte count.
fn write_vectored_at(f: &File, bufs: &[&[u8]], pos: u64) -> io::Result<u64> {
    let total: u64 = bufs.iter().map(|b| b.len() as u64).sum();
    let mut done: u64 = 0;
    let mut i = 0; // first buffer not fully written
    let mut skip = 0usize; // bytes of bufs[i] already written
    while i < bufs.len() {
        if bufs[i].len() == skip {
            i += 1;
            skip = 0;
            continue;
        }
        let n = match pwritev(f, &bufs[i..], skip, pos + done) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "wrote nothing")),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        done += n as u64;
        // Advance past what went out.
        let mut left = n;
        while left > 0 {
            let room = bufs[i].len() - skip;
            if left < room {
                skip += left;
                left = 0;
            } else {
                left -= room;
                i += 1;
                skip = 0;
            }
        }
    }
    debug_assert_eq!(done, total);
    Ok(done)
}

/// One positional vectored write of `bufs` (the first starting `skip` bytes
/// in); may write less than asked.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn pwritev(f: &File, bufs: &[&[u8]], skip: usize, pos: u64) -> io::Result<usize> {
    use std::os::raw::{c_int, c_void};
    use std::os::unix::io::AsRawFd;

    #[repr(C)]
    struct IoVec {
        base: *const c_void,
        len: usize,
    }
    extern "C" {
        // glibc's 64-bit-offset pwritev, on every architecture.
        fn pwritev64(fd: c_int, iov: *const IoVec, iovcnt: c_int, offset: i64) -> isize;
    }
    /// Linux's IOV_MAX.
    const IOV_MAX: usize = 1024;
    let iov: Vec<IoVec> = bufs
        .iter()
        .take(IOV_MAX)
        .enumerate()
        .map(|(k, b)| {
            let b = if k == 0 { &b[skip..] } else { *b };
            IoVec { base: b.as_ptr() as *const c_void, len: b.len() }
        })
        .collect();
    // SAFETY: every IoVec describes a live slice borrowed for this call;
    // the fd belongs to `f`, which outlives the call.
    let n = unsafe { pwritev64(f.as_raw_fd(), iov.as_ptr(), iov.len() as c_int, pos as i64) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// Elsewhere: one positional write of the first buffer (the caller loops).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn pwritev(f: &File, bufs: &[&[u8]], skip: usize, pos: u64) -> io::Result<usize> {
    write_at(f, &bufs[0][skip..], pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("slice-io-{}-{}", std::process::id(), name));
        let _ = std::fs::remove_file(&d);
        d
    }

    #[test]
    fn batch_write_read_truncate() {
        let p = temp("batch");
        let f = SliceFile::open(p.clone(), true).ok().unwrap();
        let a = vec![1u8; 5000];
        let b = vec![2u8; 3];
        let c = vec![3u8; 70_000];
        let n = f.write_all_at(&[&a, &b, &c], 4).ok().unwrap();
        assert_eq!(n, 75_003);
        assert_eq!(f.size().ok().unwrap(), 75_007);
        let mut got = vec![0u8; 10];
        assert_eq!(f.read_at(&mut got, 5000).ok().unwrap(), 10);
        assert_eq!(got, [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
        let mut tail = vec![0u8; 10];
        assert_eq!(f.read_at(&mut tail, 75_000).ok().unwrap(), 7);
        f.truncate(100).ok().unwrap();
        assert_eq!(f.size().ok().unwrap(), 100);
        let mut job = SyncJob { files: vec![(f.share().ok().unwrap(), p.clone())], dirs: vec![std::env::temp_dir(), temp("gone")], data_only: true };
        assert!(job.run().is_ok());
        let again = SliceFile::open(p.clone(), true);
        assert_eq!(again.err().unwrap().err.kind(), io::ErrorKind::AlreadyExists);
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn closed_handle_fails_with_ebadf() {
        let p = temp("closed");
        let mut f = SliceFile::open(p.clone(), true).ok().unwrap();
        f.close();
        let e = f.size().err().unwrap();
        assert_eq!(e.err.raw_os_error(), Some(EBADF));
        assert_eq!(e.syscall, "fstat");
        std::fs::remove_file(&p).unwrap();
    }
}
