//! A Promise settled by work done on a libuv worker thread
//! (`napi_create_async_work`): the one way this addon leaves the JS thread.
//! The job runs in `execute` (worker thread: no N-API calls there), and its
//! outcome becomes the resolution or rejection in `complete` (JS thread).

use crate::sys::*;
use std::os::raw::c_void;
use std::ptr;

/// Work to run off the JS thread, then settle a Promise with.
pub trait Job: Send + 'static {
    /// What `run` produces, carried back to the JS thread.
    type Output: Send + 'static;
    /// On the worker thread.
    fn run(&mut self) -> Self::Output;
    /// On the JS thread: the value to resolve with (`Ok`) or reject with (`Err`).
    ///
    /// # Safety
    /// `env` is live for the duration of the call.
    unsafe fn settle(out: Self::Output, env: napi_env) -> Result<napi_value, napi_value>;
    /// On the JS thread, once, after `settle` or instead of it (cancelled):
    /// lets go of what the job holds of JS values (references).
    ///
    /// # Safety
    /// `env` is live for the duration of the call.
    unsafe fn release(&mut self, _env: napi_env) {}
}

struct Work<J: Job> {
    job: J,
    out: Option<J::Output>,
    deferred: napi_deferred,
    work: napi_async_work,
}

/// Queues `job`; returns the Promise it settles, or None when Node refused
/// to create the work (nothing was queued; the job is dropped).
///
/// # Safety
/// `env` must be live (called from an export, on the JS thread).
pub unsafe fn queue<J: Job>(env: napi_env, name: &'static [u8], mut job: J) -> Option<napi_value> {
    let mut promise: napi_value = ptr::null_mut();
    let mut deferred: napi_deferred = ptr::null_mut();
    let mut label: napi_value = ptr::null_mut();
    // SAFETY: out-pointers are valid; `name` is NUL-terminated (checked by the caller's literal).
    unsafe {
        if napi_create_promise(env, &mut deferred, &mut promise) != STATUS_OK
            || napi_create_string_utf8(env, name.as_ptr() as *const _, usize::MAX, &mut label) != STATUS_OK
        {
            job.release(env);
            return None;
        }
    }
    let raw = Box::into_raw(Box::new(Work { job, out: None, deferred, work: ptr::null_mut() }));
    // SAFETY: `raw` is a live Box<Work<J>> until `complete` frees it; the
    // callbacks are instantiated for the same J.
    unsafe {
        let st = napi_create_async_work(
            env,
            ptr::null_mut(),
            label,
            Some(execute::<J>),
            Some(complete::<J>),
            raw as *mut c_void,
            &mut (*raw).work,
        );
        if st != STATUS_OK || napi_queue_async_work(env, (*raw).work) != STATUS_OK {
            if !(*raw).work.is_null() {
                napi_delete_async_work(env, (*raw).work);
            }
            // The promise is left pending and unreachable: the caller throws instead.
            let mut w = Box::from_raw(raw);
            w.job.release(env);
            drop(w);
            return None;
        }
    }
    Some(promise)
}

unsafe extern "C" fn execute<J: Job>(_env: napi_env, data: *mut c_void) {
    // SAFETY: `data` is the Work<J> queued above; until `complete` runs,
    // only this worker thread touches it (the JS thread holds no reference).
    let w = unsafe { &mut *(data as *mut Work<J>) };
    w.out = Some(w.job.run());
}

unsafe extern "C" fn complete<J: Job>(env: napi_env, status: napi_status, data: *mut c_void) {
    // SAFETY: `data` is the Box<Work<J>> leaked in `queue`; `complete` runs
    // exactly once, after `execute` (or instead of it, when cancelled).
    let mut w = unsafe { Box::from_raw(data as *mut Work<J>) };
    // SAFETY: env is live in this callback; the deferred is settled once.
    unsafe {
        napi_delete_async_work(env, w.work);
        w.job.release(env);
        let settled = match w.out {
            Some(out) if status == STATUS_OK => J::settle(out, env),
            _ => Err(crate::errors::error(env, "ECANCELED", "operation cancelled")),
        };
        match settled {
            Ok(v) => napi_resolve_deferred(env, w.deferred, v),
            Err(e) => napi_reject_deferred(env, w.deferred, e),
        };
    }
}
