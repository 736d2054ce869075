//! Any text as a rule file: loaded or refused with file:line and a fix, never a panic.
#![no_main]

use std::path::PathBuf;

use frontdesk::model::{ChannelId, GuildId, Place};
use frontdesk::responses::{Moment, Rules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let files = vec![(PathBuf::from("responses/fuzz.toml"), text.to_string())];
    match Rules::from_sources(&files) {
        Ok(rules) => {
            let place = Place::Channel {
                guild: GuildId(1),
                channel: ChannelId(10),
                thread: None,
            };
            let _ = rules.select(text, &place, &[text.to_string()], Moment::default());
        }
        Err(errors) => {
            for e in &errors.0 {
                assert!(!e.fix.is_empty(), "{e}");
                assert!(e.line <= text.lines().count() + 1, "{e}");
            }
        }
    }
});
