//! The typed fast path against serde_yaml: wherever the fast path reads a
//! text (as a manifest or as a generic YAML value), serde_yaml must read the
//! same value, and the tree kept as span index must give yaml-rust2's
//! positions; a text serde_yaml refuses must be refused.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(Some(difference)) = privflow::manifest::typed_fast_path_disagreement(text) {
        panic!("{difference}");
    }
});
