#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| memberkit_fuzz_targets::email(data));
