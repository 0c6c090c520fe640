//! Node-API function declarations. One macro emits, per platform:
//! - Linux and macOS: plain `extern "C"` declarations, left undefined in the
//!   cdylib and bound by the dynamic loader to the symbols of the `node`
//!   binary (build.rs sets the link flags);
//! - Windows: there is no import library for whatever executable hosts us
//!   (node.exe, electron.exe, ...), so each function is a pointer resolved
//!   with `GetProcAddress` on the process image by [`load_all`], called
//!   first thing at registration, behind a same-named wrapper.

#![allow(clippy::missing_safety_doc)] // Each is the C function of the same name: see the Node-API docs.

use super::types::*;
use std::os::raw::{c_char, c_void};

macro_rules! napi_functions {
    ($( fn $name:ident( $($arg:ident : $ty:ty),* $(,)? ); )*) => {
        #[cfg(not(windows))]
        extern "C" {
            $(
                #[doc = concat!("Node-API `", stringify!($name), "`.")]
                pub fn $name($($arg: $ty),*) -> napi_status;
            )*
        }

        #[cfg(windows)]
        mod table {
            use std::os::raw::c_void;
            use std::sync::atomic::AtomicPtr;
            $(
                #[allow(non_upper_case_globals)]
                pub static $name: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
            )*
        }

        $(
            #[cfg(windows)]
            #[doc = concat!("Node-API `", stringify!($name), "`, resolved at load time.")]
            pub unsafe fn $name($($arg: $ty),*) -> napi_status {
                let p = table::$name.load(std::sync::atomic::Ordering::Acquire);
                if p.is_null() {
                    return STATUS_GENERIC_FAILURE;
                }
                // SAFETY: `p` was returned by GetProcAddress for the export of
                // this exact name, whose C signature is the one declared here.
                let f: unsafe extern "C" fn($($ty),*) -> napi_status = unsafe { std::mem::transmute(p) };
                // SAFETY: the caller upholds the Node-API contract of `$name`.
                unsafe { f($($arg),*) }
            }
        )*

        /// Resolves every function (Windows); nothing to do elsewhere.
        ///
        /// # Safety
        /// Call once from `napi_register_module_v1`, before any other call.
        #[cfg(windows)]
        pub unsafe fn load_all() {
            $(
                // SAFETY: the name is NUL-terminated by concat!.
                let p = unsafe { win::lookup(concat!(stringify!($name), "\0").as_bytes()) };
                table::$name.store(p, std::sync::atomic::Ordering::Release);
            )*
        }
    };
}

/// Resolves every function (Windows); nothing to do elsewhere.
///
/// # Safety
/// Call once from `napi_register_module_v1`, before any other call.
#[cfg(not(windows))]
pub unsafe fn load_all() {}

#[cfg(windows)]
mod win {
    use std::os::raw::c_void;

    #[link(name = "kernel32")]
    extern "system" {
        fn GetModuleHandleW(name: *const u16) -> *mut c_void;
        fn GetProcAddress(module: *mut c_void, name: *const u8) -> *mut c_void;
    }

    /// Finds `name` (NUL-terminated) in the host executable, else in a
    /// libnode.dll or node.dll already loaded (embedders).
    ///
    /// # Safety
    /// `name` must end with a NUL byte.
    pub unsafe fn lookup(name: &[u8]) -> *mut c_void {
        let hosts: [&[u16]; 2] = [
            &[108, 105, 98, 110, 111, 100, 101, 46, 100, 108, 108, 0], // libnode.dll
            &[110, 111, 100, 101, 46, 100, 108, 108, 0],               // node.dll
        ];
        // SAFETY: a null name asks for the process image, which is always loaded.
        let image = unsafe { GetModuleHandleW(std::ptr::null()) };
        // SAFETY: `image` is a module handle (or null, which GetProcAddress rejects); `name` is NUL-terminated.
        let mut p = unsafe { GetProcAddress(image, name.as_ptr()) };
        for host in hosts.iter() {
            if !p.is_null() {
                break;
            }
            // SAFETY: `host` is a NUL-terminated UTF-16 module name.
            let m = unsafe { GetModuleHandleW(host.as_ptr()) };
            if !m.is_null() {
                // SAFETY: as above.
                p = unsafe { GetProcAddress(m, name.as_ptr()) };
            }
        }
        p
    }
}

napi_functions! {
    fn napi_create_function(env: napi_env, name: *const c_char, length: usize, cb: napi_callback, data: *mut c_void, result: *mut napi_value);
    fn napi_set_named_property(env: napi_env, object: napi_value, name: *const c_char, value: napi_value);
    fn napi_get_cb_info(env: napi_env, info: napi_callback_info, argc: *mut usize, argv: *mut napi_value, this_arg: *mut napi_value, data: *mut *mut c_void);
    fn napi_create_external(env: napi_env, data: *mut c_void, finalize_cb: napi_finalize, hint: *mut c_void, result: *mut napi_value);
    fn napi_get_value_external(env: napi_env, value: napi_value, result: *mut *mut c_void);
    fn napi_get_typedarray_info(env: napi_env, value: napi_value, kind: *mut napi_typedarray_type, length: *mut usize, data: *mut *mut c_void, buffer: *mut napi_value, byte_offset: *mut usize);
    fn napi_get_value_uint32(env: napi_env, value: napi_value, result: *mut u32);
    fn napi_get_value_bool(env: napi_env, value: napi_value, result: *mut bool);
    fn napi_get_value_string_utf8(env: napi_env, value: napi_value, buf: *mut c_char, bufsize: usize, result: *mut usize);
    fn napi_typeof(env: napi_env, value: napi_value, result: *mut napi_valuetype);
    fn napi_create_uint32(env: napi_env, value: u32, result: *mut napi_value);
    fn napi_create_int32(env: napi_env, value: i32, result: *mut napi_value);
    fn napi_create_double(env: napi_env, value: f64, result: *mut napi_value);
    fn napi_get_boolean(env: napi_env, value: bool, result: *mut napi_value);
    fn napi_get_undefined(env: napi_env, result: *mut napi_value);
    fn napi_create_external_buffer(env: napi_env, length: usize, data: *mut c_void, finalize_cb: napi_finalize, hint: *mut c_void, result: *mut napi_value);
    fn napi_create_buffer_copy(env: napi_env, length: usize, data: *const c_void, result_data: *mut *mut c_void, result: *mut napi_value);
    fn napi_throw_type_error(env: napi_env, code: *const c_char, msg: *const c_char);
    fn napi_throw(env: napi_env, error: napi_value);
    fn napi_create_string_utf8(env: napi_env, str: *const c_char, length: usize, result: *mut napi_value);
    fn napi_create_error(env: napi_env, code: napi_value, msg: napi_value, result: *mut napi_value);
    fn napi_get_value_double(env: napi_env, value: napi_value, result: *mut f64);
    fn napi_adjust_external_memory(env: napi_env, change_in_bytes: i64, adjusted_value: *mut i64);
    fn napi_get_array_length(env: napi_env, value: napi_value, result: *mut u32);
    fn napi_get_element(env: napi_env, object: napi_value, index: u32, result: *mut napi_value);
    fn napi_create_promise(env: napi_env, deferred: *mut napi_deferred, promise: *mut napi_value);
    fn napi_resolve_deferred(env: napi_env, deferred: napi_deferred, resolution: napi_value);
    fn napi_reject_deferred(env: napi_env, deferred: napi_deferred, rejection: napi_value);
    fn napi_create_async_work(env: napi_env, async_resource: napi_value, async_resource_name: napi_value, execute: napi_async_execute_callback, complete: napi_async_complete_callback, data: *mut c_void, result: *mut napi_async_work);
    fn napi_queue_async_work(env: napi_env, work: napi_async_work);
    fn napi_delete_async_work(env: napi_env, work: napi_async_work);
    fn napi_create_reference(env: napi_env, value: napi_value, initial_refcount: u32, result: *mut napi_ref);
    fn napi_delete_reference(env: napi_env, reference: napi_ref);
}
