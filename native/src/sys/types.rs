//! Opaque Node-API handles and status codes, as in `js_native_api_types.h`.

use std::os::raw::c_void;

/// An opaque handle type: a zero-sized private array keeps it unconstructible.
macro_rules! opaque {
    ($($name:ident => $ptr:ident),* $(,)?) => {$(
        #[doc = concat!("Opaque `", stringify!($ptr), "` target.")]
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
        }
        #[doc = concat!("Node-API `", stringify!($ptr), "`.")]
        #[allow(non_camel_case_types)]
        pub type $ptr = *mut $name;
    )*};
}

opaque!(
    NapiEnv => napi_env,
    NapiValue => napi_value,
    NapiCallbackInfo => napi_callback_info,
);

/// `napi_status`: 0 is `napi_ok`.
#[allow(non_camel_case_types)]
pub type napi_status = i32;
/// `napi_ok`.
pub const STATUS_OK: napi_status = 0;
/// `napi_generic_failure`, returned by the Windows stubs of unresolved functions.
#[cfg_attr(not(windows), allow(dead_code))]
pub const STATUS_GENERIC_FAILURE: napi_status = 9;

/// `napi_valuetype`.
#[allow(non_camel_case_types)]
pub type napi_valuetype = i32;
/// `napi_undefined`.
pub const TYPE_UNDEFINED: napi_valuetype = 0;
/// `napi_null`.
pub const TYPE_NULL: napi_valuetype = 1;
/// `napi_string`.
pub const TYPE_STRING: napi_valuetype = 4;

/// `napi_typedarray_type`.
#[allow(non_camel_case_types)]
pub type napi_typedarray_type = i32;
/// `napi_uint8_array`.
pub const TYPEDARRAY_UINT8: napi_typedarray_type = 1;
/// `napi_uint32_array`.
pub const TYPEDARRAY_UINT32: napi_typedarray_type = 6;
/// `napi_float64_array`.
pub const TYPEDARRAY_FLOAT64: napi_typedarray_type = 8;

/// `napi_callback`.
#[allow(non_camel_case_types)]
pub type napi_callback = Option<unsafe extern "C" fn(napi_env, napi_callback_info) -> napi_value>;
/// `napi_finalize`.
#[allow(non_camel_case_types)]
pub type napi_finalize = Option<unsafe extern "C" fn(napi_env, *mut c_void, *mut c_void)>;

opaque!(
    NapiDeferred => napi_deferred,
    NapiAsyncWork => napi_async_work,
    NapiRef => napi_ref,
);

/// `napi_async_execute_callback`: runs on a libuv worker thread.
#[allow(non_camel_case_types)]
pub type napi_async_execute_callback = Option<unsafe extern "C" fn(napi_env, *mut c_void)>;
/// `napi_async_complete_callback`: runs on the JS thread afterwards.
#[allow(non_camel_case_types)]
pub type napi_async_complete_callback = Option<unsafe extern "C" fn(napi_env, napi_status, *mut c_void)>;
