//! The server's channel names, kept in memory for the pages that show where a conversation
//! is: `#help`, a forum post's title, a thread's name. The Discord adapter writes them (the
//! server's channel list at start, then its channel and thread events); the web page reads
//! them. A channel missing here is one frontdesk has not seen (an archived post after a
//! restart) or one that is gone: then the page falls back to words and the id.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::model::ChannelId;
use crate::sync::RwLockExt;

#[derive(Debug, Default)]
pub struct ChannelNames(RwLock<HashMap<ChannelId, String>>);

impl ChannelNames {
    pub fn set(&self, channel: ChannelId, name: &str) {
        self.0.writing().insert(channel, name.to_string());
    }

    /// A deleted channel or thread.
    pub fn forget(&self, channel: ChannelId) {
        self.0.writing().remove(&channel);
    }

    pub fn get(&self, channel: ChannelId) -> Option<String> {
        self.0.reading().get(&channel).cloned()
    }
}
