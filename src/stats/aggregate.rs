//! The statistics kept as conversations change: one small [`Entry`] per conversation (stored
//! by `store::stats`, one key per conversation so rewriting it is idempotent) and, in memory,
//! the same entries grouped by the day they opened, so `/stats`, the charts and the weekly
//! digest read only the days they show instead of every conversation.
//!
//! Pure: the desk computes each entry (reply times in open hours, the business's day and
//! hour), the store persists it and calls [`Aggregate::replace`].

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::core::{Conversation, ConversationId, State};
use crate::hours::BusinessHours;

/// One conversation's line in the statistics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub conversation: ConversationId,
    pub opened_at: Timestamp,
    /// The business's calendar day it opened on (days since 1970-01-01, local).
    pub day: i32,
    /// The business's weekday (Monday = 0) × 24 + hour it opened in.
    pub slot: u8,
    /// Waiting for a personal reply right now.
    pub waiting: bool,
    /// How long the first personal reply took, in open hours (whole seconds), if there was one:
    /// counted with the hours configured when it came.
    pub reply_secs: Option<u32>,
    pub topic: String,
}

impl Entry {
    /// The entry of `c`, reply time and day as `hours` count them.
    pub fn of(c: &Conversation, hours: &BusinessHours) -> Entry {
        let local = c.opened_at.to_zoned(hours.time_zone().clone());
        let weekday = local.weekday().to_monday_zero_offset() as u8;
        Entry {
            conversation: c.id,
            opened_at: c.opened_at,
            day: day_number(local.date()),
            slot: weekday * 24 + local.hour() as u8,
            waiting: c.state == State::Waiting,
            reply_secs: c.first_reply_at.map(|at| {
                let took = hours.open_time_between(c.opened_at, at).as_secs();
                u32::try_from(took.max(0)).unwrap_or(u32::MAX - 1)
            }),
            topic: c.topic.clone(),
        }
    }

    /// The stored form: a version byte, fixed fields, then the topic's UTF-8.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + self.topic.len());
        out.push(ENTRY_VERSION);
        out.extend_from_slice(&self.opened_at.as_millisecond().to_be_bytes());
        out.extend_from_slice(&self.day.to_be_bytes());
        out.push(self.slot);
        out.push(u8::from(self.waiting));
        out.extend_from_slice(&self.reply_secs.unwrap_or(NO_REPLY).to_be_bytes());
        out.extend_from_slice(self.topic.as_bytes());
        out
    }

    /// The entry stored under `conversation`, or `None` if this version cannot read it.
    pub fn decode(conversation: ConversationId, bytes: &[u8]) -> Option<Entry> {
        let (&version, rest) = bytes.split_first()?;
        if version != ENTRY_VERSION || rest.len() < 18 {
            return None;
        }
        let ms = i64::from_be_bytes(rest[0..8].try_into().ok()?);
        let day = i32::from_be_bytes(rest[8..12].try_into().ok()?);
        let slot = rest[12];
        let waiting = rest[13] != 0;
        let reply = u32::from_be_bytes(rest[14..18].try_into().ok()?);
        let topic = std::str::from_utf8(&rest[18..]).ok()?.to_string();
        Some(Entry {
            conversation,
            opened_at: Timestamp::from_millisecond(ms).ok()?,
            day,
            slot: slot.min(167),
            waiting,
            reply_secs: (reply != NO_REPLY).then_some(reply),
            topic,
        })
    }
}

const ENTRY_VERSION: u8 = 1;
const NO_REPLY: u32 = u32::MAX;

/// A business day as a number: days since 1970-01-01.
pub fn day_number(date: Date) -> i32 {
    let epoch = Date::constant(1970, 1, 1);
    (date - epoch).get_days()
}

/// The date of a [`day_number`].
pub fn day_date(day: i32) -> Date {
    Date::constant(1970, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(day)))
        .unwrap_or(Date::MAX)
}

/// An [`Entry`] as kept in memory: 24 bytes, the topic interned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub conversation: ConversationId,
    pub opened_ms: i64,
    /// Open-hours seconds to the first personal reply; `u32::MAX` for none.
    reply: u32,
    pub topic: u16,
    pub slot: u8,
    pub waiting: bool,
}

impl Row {
    pub fn reply(&self) -> Option<SignedDuration> {
        (self.reply != NO_REPLY).then(|| SignedDuration::from_secs(i64::from(self.reply)))
    }

    pub fn opened_at(&self) -> Timestamp {
        Timestamp::from_millisecond(self.opened_ms).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// Every conversation's [`Row`], by the day it opened.
#[derive(Clone, Debug, Default)]
pub struct Aggregate {
    topics: Vec<String>,
    days: BTreeMap<i32, Vec<Row>>,
    rows: usize,
}

impl Aggregate {
    /// Replaces `old` (the conversation's previous entry, if any) by `new`.
    pub fn replace(&mut self, old: Option<&Entry>, new: &Entry) {
        if let Some(old) = old {
            self.remove(old);
        }
        let topic = self.intern(&new.topic);
        self.days.entry(new.day).or_default().push(Row {
            conversation: new.conversation,
            opened_ms: new.opened_at.as_millisecond(),
            reply: new.reply_secs.unwrap_or(NO_REPLY),
            topic,
            slot: new.slot,
            waiting: new.waiting,
        });
        self.rows += 1;
    }

    fn remove(&mut self, old: &Entry) {
        let Some(rows) = self.days.get_mut(&old.day) else {
            return;
        };
        if let Some(i) = rows.iter().position(|r| r.conversation == old.conversation) {
            rows.swap_remove(i);
            self.rows -= 1;
        }
        if rows.is_empty() {
            self.days.remove(&old.day);
        }
    }

    fn intern(&mut self, topic: &str) -> u16 {
        if let Some(i) = self.topics.iter().position(|t| t == topic) {
            return i as u16;
        }
        // Topics come from the rules, a few dozen at most; past u16 they share the last slot.
        if self.topics.len() >= usize::from(u16::MAX) {
            return u16::MAX - 1;
        }
        self.topics.push(topic.to_string());
        (self.topics.len() - 1) as u16
    }

    /// The topic behind a row's number ("" for none).
    pub fn topic(&self, id: u16) -> &str {
        self.topics.get(usize::from(id)).map_or("", String::as_str)
    }

    /// The rows of the conversations opened on days `first..=last`, by day.
    pub fn days(&self, first: i32, last: i32) -> impl Iterator<Item = (i32, &[Row])> + '_ {
        self.days
            .range(first..=last.max(first))
            .map(|(d, rows)| (*d, rows.as_slice()))
    }

    /// A copy of the days `first..=last` (and every topic name): what a summary of them
    /// reads, taken so the summary is computed without holding the store's lock, which every
    /// commit that changes an entry needs.
    pub fn copy_days(&self, first: i32, last: i32) -> Aggregate {
        let days: BTreeMap<i32, Vec<Row>> = self
            .days
            .range(first..=last.max(first))
            .map(|(d, rows)| (*d, rows.clone()))
            .collect();
        let rows = days.values().map(Vec::len).sum();
        Aggregate {
            topics: self.topics.clone(),
            days,
            rows,
        }
    }

    /// Every row, oldest day first.
    pub fn all(&self) -> impl Iterator<Item = &Row> + '_ {
        self.days.values().flatten()
    }

    /// How many conversations are counted.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Bytes held, roughly: the rows' vectors and the topics.
    pub fn memory_bytes(&self) -> usize {
        let rows: usize = self
            .days
            .values()
            .map(|v| v.capacity() * std::mem::size_of::<Row>() + 48)
            .sum();
        let topics: usize = self.topics.iter().map(|t| t.capacity() + 24).sum();
        rows + topics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MessageId;

    fn entry(id: u64, day: i32, reply: Option<u32>, waiting: bool, topic: &str) -> Entry {
        Entry {
            conversation: MessageId(id),
            opened_at: Timestamp::from_second(i64::from(day) * 86_400 + 3_600).expect("time"),
            day,
            slot: 9,
            waiting,
            reply_secs: reply,
            topic: topic.into(),
        }
    }

    #[test]
    fn an_entry_survives_its_encoding() {
        for e in [
            entry(7, 20_000, Some(90), false, "orders"),
            entry(8, -3, None, true, ""),
            entry(9, 1, Some(0), true, "délai ✓"),
        ] {
            assert_eq!(Entry::decode(e.conversation, &e.encode()), Some(e));
        }
        assert_eq!(Entry::decode(MessageId(1), &[1, 2, 3]), None);
        assert_eq!(Entry::decode(MessageId(1), &[]), None);
        let mut future = entry(7, 1, None, false, "x").encode();
        future[0] = 2;
        assert_eq!(Entry::decode(MessageId(7), &future), None);
    }

    #[test]
    fn replacing_an_entry_moves_its_row() {
        let mut a = Aggregate::default();
        let first = entry(1, 10, None, true, "orders");
        a.replace(None, &first);
        a.replace(None, &entry(2, 10, Some(60), false, "returns"));
        let answered = entry(1, 10, Some(120), false, "orders");
        a.replace(Some(&first), &answered);
        assert_eq!(a.len(), 2);
        let rows: Vec<&Row> = a.all().collect();
        let one = rows
            .iter()
            .find(|r| r.conversation == MessageId(1))
            .expect("row");
        assert_eq!(one.reply(), Some(SignedDuration::from_secs(120)));
        assert!(!one.waiting);
        assert_eq!(a.topic(one.topic), "orders");
        // Moved to another day (a different time zone at the time): the old day empties.
        let moved = entry(1, 11, Some(120), false, "orders");
        a.replace(Some(&answered), &moved);
        assert_eq!(a.days(10, 10).map(|(_, r)| r.len()).sum::<usize>(), 1);
        assert_eq!(a.days(11, 11).map(|(_, r)| r.len()).sum::<usize>(), 1);
        assert_eq!(std::mem::size_of::<Row>(), 24);
    }

    #[test]
    fn day_numbers_round_trip() {
        let d = Date::constant(2026, 12, 3);
        assert_eq!(day_date(day_number(d)), d);
        assert_eq!(day_number(Date::constant(1970, 1, 2)), 1);
    }
}
