//! Any text as frontdesk.toml: loaded or refused naming the file and a fix, never a panic.
#![no_main]

use std::path::Path;

use frontdesk::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(e) = Config::parse(text, Path::new("frontdesk.toml")) {
        let shown = e.to_string();
        assert!(shown.starts_with("frontdesk.toml") && shown.contains("fix: "), "{shown}");
    }
});
