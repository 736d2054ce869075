//! Conversations for the command modules' unit tests.

use jiff::Timestamp;

use crate::core::Conversation;
use crate::model::{ChannelId, GuildId, MessageId, Place, UserId};

/// A conversation waiting since `opened` in #help (channel 10 of guild 1), about "orders".
pub fn conversation(id: u64, customer: &str, opened: Timestamp) -> Conversation {
    let place = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(10),
        thread: None,
    };
    let mut c = Conversation::new(
        MessageId(id),
        UserId(100 + id),
        customer.to_string(),
        place,
        opened,
    );
    c.topic = "orders".to_string();
    c.rule = "orders".to_string();
    c.waiting_since = Some(opened);
    c.waits = 1;
    c
}
