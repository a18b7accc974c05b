//! The span index's fast path against yaml-rust2: wherever the fast path
//! indexes a text, both must give the same nodes, keys and positions.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(Some(difference)) = privflow::manifest::span_fast_path_disagreement(text) {
        panic!("{difference}");
    }
});
