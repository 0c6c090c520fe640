//! Long-lived helper threads for the parallel part of a group commit's
//! durable step (`SyncJob::run`).
//!
//! Concurrent fdatasyncs of different files share the file system's journal
//! commits, where one after another would each wait for its own (a commit of
//! msgs.dat + msgs.idx: ~1.8 ms in parallel against ~2.4 ms in sequence).
//! The parallelism used to come from a scoped thread spawned per file per
//! commit: hundreds of spawns per second under load, each paying for a new
//! stack (page faults cost ~20 µs each on a microVM). These helpers are
//! spawned once, on first need, and then wait for work.
//!
//! The calling thread (a libuv worker) works on its own batch too, so a
//! batch always finishes even when every helper is busy with another
//! store's batch: helpers only ever speed a batch up.
//!
//! Std only and Rust 1.63 (`Mutex::new` is const there; `OnceLock` is not).

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// At most this many helpers: with the calling thread, 8 syncs at once.
/// More would only queue in the device.
const MAX_HELPERS: usize = 7;

/// One file to sync: what the failure names.
pub type SyncTarget = (Arc<File>, PathBuf);

/// What syncing one file gives back: Ok, or the error and the file's path.
pub type SyncOutcome = Result<(), (std::io::Error, PathBuf)>;

/// The files of one commit, taken one at a time by whichever thread is free.
struct Batch {
    state: Mutex<BatchState>,
    done: Condvar,
    data_only: bool,
}

struct BatchState {
    /// Not yet taken. A file leaves this list when a thread takes it, so the
    /// batch holds no descriptor once every file is synced, even while a
    /// late helper still holds the batch.
    todo: Vec<SyncTarget>,
    /// Taken and not yet synced.
    running: usize,
    /// The first failure.
    failed: Option<(std::io::Error, PathBuf)>,
}

struct Pool {
    send: Sender<Arc<Batch>>,
    /// The helpers' shared end of the queue.
    recv: Arc<Mutex<Receiver<Arc<Batch>>>>,
    helpers: usize,
}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);

/// A poisoned lock only means a thread panicked while holding it; the data
/// (counters and a list) stays consistent, so go on with it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Syncs every file (fdatasync when `data_only`, else fsync), up to
/// `MAX_HELPERS + 1` at once; returns once all are done, with the first
/// failure if any.
pub fn sync_all(files: Vec<SyncTarget>, data_only: bool) -> SyncOutcome {
    let helpers_wanted = files.len().saturating_sub(1).min(MAX_HELPERS);
    let batch = Arc::new(Batch {
        state: Mutex::new(BatchState { todo: files, running: 0, failed: None }),
        done: Condvar::new(),
        data_only,
    });
    if helpers_wanted > 0 {
        enlist(&batch, helpers_wanted);
    }
    work_on(&batch);
    let mut st = lock(&batch.state);
    while st.running > 0 || !st.todo.is_empty() {
        st = batch.done.wait(st).unwrap_or_else(|e| e.into_inner());
    }
    match st.failed.take() {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// Hands the batch to `n` helpers, spawning those missing. A helper that
/// cannot be spawned is no failure: the calling thread does its share.
fn enlist(batch: &Arc<Batch>, n: usize) {
    let mut pool = lock(&POOL);
    let p = pool.get_or_insert_with(|| {
        let (send, recv) = channel();
        Pool { send, recv: Arc::new(Mutex::new(recv)), helpers: 0 }
    });
    while p.helpers < n {
        let recv = Arc::clone(&p.recv);
        let spawned = std::thread::Builder::new()
            .name("stan-sync".into())
            .stack_size(64 * 1024)
            .spawn(move || helper(recv));
        if spawned.is_err() {
            break;
        }
        p.helpers += 1;
    }
    for _ in 0..n.min(p.helpers) {
        // Fails only once every helper is gone, which never happens: they
        // loop for the life of the process.
        let _ = p.send.send(Arc::clone(batch));
    }
}

fn helper(recv: Arc<Mutex<Receiver<Arc<Batch>>>>) {
    loop {
        let next = lock(&recv).recv();
        match next {
            Ok(batch) => work_on(&batch),
            Err(_) => return,
        }
    }
}

/// Takes files off the batch and syncs them until none is left.
fn work_on(batch: &Batch) {
    loop {
        let target = {
            let mut st = lock(&batch.state);
            match st.todo.pop() {
                Some(t) => {
                    st.running += 1;
                    t
                }
                None => return,
            }
        };
        let (file, path) = target;
        let r = if batch.data_only { file.sync_data() } else { file.sync_all() };
        drop(file);
        let mut st = lock(&batch.state);
        st.running -= 1;
        if let Err(e) = r {
            if st.failed.is_none() {
                st.failed = Some((e, path));
            }
        }
        if st.running == 0 && st.todo.is_empty() {
            batch.done.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> (Arc<File>, PathBuf) {
        let p = std::env::temp_dir().join(format!("sync-pool-{}-{}", std::process::id(), name));
        let f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&p).unwrap();
        (Arc::new(f), p)
    }

    #[test]
    fn syncs_many_files_from_many_threads_and_lets_go_of_them() {
        let files: Vec<_> = (0..20).map(|i| temp_file(&format!("many{}", i))).collect();
        let weak: Vec<_> = files.iter().map(|(f, _)| Arc::downgrade(f)).collect();
        let paths: Vec<_> = files.iter().map(|(_, p)| p.clone()).collect();
        // Several commits at once, as several stores would.
        let a = std::thread::spawn(|| sync_all((0..5).map(|i| temp_file(&format!("other{}", i))).collect(), true));
        assert!(sync_all(files, true).is_ok());
        assert!(a.join().unwrap().is_ok());
        // No helper still holds a descriptor of a finished batch.
        assert!(weak.iter().all(|w| w.upgrade().is_none()));
        assert!(lock(&POOL).as_ref().unwrap().helpers <= MAX_HELPERS);
        for p in paths {
            std::fs::remove_file(p).unwrap();
        }
        for i in 0..5 {
            let _ = std::fs::remove_file(std::env::temp_dir().join(format!("sync-pool-{}-other{}", std::process::id(), i)));
        }
    }

    #[test]
    fn one_file_needs_no_helper() {
        let f = temp_file("one");
        let p = f.1.clone();
        assert!(sync_all(vec![f], false).is_ok());
        assert!(sync_all(Vec::new(), true).is_ok());
        std::fs::remove_file(p).unwrap();
    }
}
