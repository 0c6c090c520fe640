//! Link arguments of the N-API addon per target platform (see
//! shared/docs/PACKAGING.md §2). The `napi_*` symbols stay undefined in the
//! cdylib and are bound at load time to the ones exported by the node binary.

fn main() {
    // CARGO_CFG_* describe the target, `cfg!` would describe the host.
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    match os.as_str() {
        // ld64 rejects undefined symbols unless lookup is deferred to dlopen.
        "macos" => println!("cargo:rustc-cdylib-link-arg=-Wl,-undefined,dynamic_lookup"),
        // Never unload the DSO: glibc runs TLS destructors of unloaded
        // objects and crashes (rust-lang/rust#134820).
        "linux" if env == "gnu" => println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete"),
        // Windows resolves N-API with GetProcAddress at registration.
        _ => {}
    }
    println!("cargo:rerun-if-changed=build.rs");
}
