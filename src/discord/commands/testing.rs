//! Conversations for the command modules' unit tests.

use jiff::{SignedDuration, Timestamp};

use super::request::Arg;
use crate::core::Conversation;
use crate::hours::BusinessHours;
use crate::model::{ChannelId, GuildId, MessageId, Place, UserId};
use crate::stats::{Aggregate, Entry, Summary, Window};

/// `HH:MM` on the day the command tests are set in (Tuesday 24 November 2026, UTC).
pub fn at(s: &str) -> Timestamp {
    format!("2026-11-24T{s}:00Z").parse().expect("time")
}

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

/// The summary of `list` as the desk's statistics hold it (reply target 1 h).
pub fn summary(list: &[Conversation], days: u32, hours: &BusinessHours, now: Timestamp) -> Summary {
    let mut agg = Aggregate::default();
    for c in list {
        agg.replace(None, &Entry::of(c, hours));
    }
    let w = Window::last_days(days, SignedDuration::from_hours(1), hours, now);
    Summary::compute(&agg, &w)
}

/// Where the command is run in the options tests.
pub const HERE: ChannelId = ChannelId(55);

/// Options as the handler hands them over.
pub fn args(list: &[(&str, Arg)]) -> Vec<(String, Arg)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

pub fn text(s: &str) -> Arg {
    Arg::Text(s.to_string())
}
