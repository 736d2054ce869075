//! Conversations for the command modules' unit tests.

use jiff::Timestamp;

use crate::core::{Conversation, State};
use crate::model::{ChannelId, GuildId, MessageId, Place, UserId};

/// A conversation waiting since `opened` in #help (channel 10 of guild 1), about "orders".
pub fn conversation(id: u64, customer: &str, opened: Timestamp) -> Conversation {
    Conversation {
        id: MessageId(id),
        customer: UserId(100 + id),
        customer_name: customer.to_string(),
        place: Place::Channel {
            guild: GuildId(1),
            channel: ChannelId(10),
            thread: None,
        },
        state: State::Waiting,
        topic: "orders".to_string(),
        rule: "orders".to_string(),
        opened_at: opened,
        waiting_since: Some(opened),
        last_activity: opened,
        first_reply_at: None,
        answered_by: None,
        last_staff_message: None,
        resolved_at: None,
        reminders_sent: 0,
        next_reminder_at: None,
        snoozed_until: None,
        thread: None,
        relay: None,
        customer_messages: 1,
        times_reopened: 0,
        waits: 1,
    }
}
