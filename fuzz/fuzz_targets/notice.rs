//! Bytes → privacy-notice normalisation (markup stripping, entity decoding,
//! sentence splitting, lexicon lookup) → the facts the rules read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privflow::notice::Notice;

fuzz_target!(|data: &[u8]| {
    // Notices are read as UTF-8 (anything else is refused before parsing).
    let Ok(text) = std::str::from_utf8(data) else { return };
    let notice = Notice::parse("privacy.md", text).expect("built-in lexicon");
    let _ = notice.claim_line();
    let _ = notice.names_builtin("face");
    let _ = notice.names_recipient("示例云计算有限公司");
    let _ = notice.names_recipient("Example Cloud Co., Ltd.");
});
