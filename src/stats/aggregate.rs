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
    /// The customer's rating (1–5), if they gave one.
    pub rating: Option<u8>,
    /// A blocked user's conversation: kept as evidence, counted nowhere.
    pub blocked: bool,
    /// Staff promises of a later answer kept on time and late.
    pub promises: Promises,
    pub topic: String,
}

/// Promises of a later answer in one conversation, kept on time and late.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Promises {
    pub on_time: u16,
    pub late: u16,
}

impl Promises {
    fn is_none(self) -> bool {
        self == Promises::default()
    }
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
            rating: c
                .rating
                .and_then(|r| r.score)
                .filter(|s| (1..=5).contains(s)),
            blocked: c.blocked,
            promises: Promises {
                on_time: u16::try_from(c.promises_kept.on_time).unwrap_or(u16::MAX),
                late: u16::try_from(c.promises_kept.late).unwrap_or(u16::MAX),
            },
            topic: c.topic.clone(),
        }
    }

    /// The stored form: a version byte, fixed fields, then the topic's UTF-8. Version 2 (an
    /// entry with promises) has their two counts before the topic; an entry without any is
    /// written as version 1, as older versions read it.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(25 + self.topic.len());
        let version = if self.promises.is_none() {
            1
        } else {
            ENTRY_VERSION
        };
        out.push(version);
        out.extend_from_slice(&self.opened_at.as_millisecond().to_be_bytes());
        out.extend_from_slice(&self.day.to_be_bytes());
        out.push(self.slot);
        out.push(u8::from(self.waiting));
        out.extend_from_slice(&self.reply_secs.unwrap_or(NO_REPLY).to_be_bytes());
        // The rating in the low bits (0 = none), blocked in the top bit.
        out.push(self.rating.unwrap_or(0) | if self.blocked { BLOCKED } else { 0 });
        if version == 2 {
            out.extend_from_slice(&self.promises.on_time.to_be_bytes());
            out.extend_from_slice(&self.promises.late.to_be_bytes());
        }
        out.extend_from_slice(self.topic.as_bytes());
        out
    }

    /// The entry stored under `conversation`, or `None` if this version cannot read it.
    pub fn decode(conversation: ConversationId, bytes: &[u8]) -> Option<Entry> {
        let (&version, rest) = bytes.split_first()?;
        let fixed = match version {
            1 => 19,
            2 => 23,
            _ => return None,
        };
        if rest.len() < fixed {
            return None;
        }
        let ms = i64::from_be_bytes(rest[0..8].try_into().ok()?);
        let day = i32::from_be_bytes(rest[8..12].try_into().ok()?);
        let slot = rest[12];
        let waiting = rest[13] != 0;
        let reply = u32::from_be_bytes(rest[14..18].try_into().ok()?);
        let marks = rest[18];
        let promises = match version {
            2 => Promises {
                on_time: u16::from_be_bytes(rest[19..21].try_into().ok()?),
                late: u16::from_be_bytes(rest[21..23].try_into().ok()?),
            },
            _ => Promises::default(),
        };
        let topic = std::str::from_utf8(&rest[fixed..]).ok()?.to_string();
        Some(Entry {
            conversation,
            opened_at: Timestamp::from_millisecond(ms).ok()?,
            day,
            slot: slot.min(167),
            waiting,
            reply_secs: (reply != NO_REPLY).then_some(reply),
            rating: Some(marks & !BLOCKED).filter(|r| (1..=5).contains(r)),
            blocked: marks & BLOCKED != 0,
            promises,
            topic,
        })
    }
}

const ENTRY_VERSION: u8 = 2;
const NO_REPLY: u32 = u32::MAX;
const BLOCKED: u8 = 0x80;

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
    /// Waiting in the top bit, the rating (0 = none) in the low bits: the row stays 24 bytes.
    marks: u8,
}

impl Row {
    pub fn reply(&self) -> Option<SignedDuration> {
        (self.reply != NO_REPLY).then(|| SignedDuration::from_secs(i64::from(self.reply)))
    }

    pub fn opened_at(&self) -> Timestamp {
        Timestamp::from_millisecond(self.opened_ms).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Waiting for a personal reply right now.
    pub fn waiting(&self) -> bool {
        self.marks & WAITING != 0
    }

    /// The customer's rating, 1–5.
    pub fn rating(&self) -> Option<u8> {
        Some(self.marks & !WAITING).filter(|r| (1..=5).contains(r))
    }
}

const WAITING: u8 = 0x80;

/// Every conversation's [`Row`], by the day it opened.
#[derive(Clone, Debug, Default)]
pub struct Aggregate {
    topics: Vec<String>,
    days: BTreeMap<i32, Vec<Row>>,
    rows: usize,
    /// The few conversations with promises, by the day they opened: apart from the rows, so
    /// a row stays 24 bytes.
    promises: BTreeMap<i32, Vec<PromiseRow>>,
}

/// A conversation's promises, as [`Aggregate`] keeps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PromiseRow {
    pub conversation: ConversationId,
    pub opened_ms: i64,
    pub kept: Promises,
}

impl Aggregate {
    /// Replaces `old` (the conversation's previous entry, if any) by `new`.
    pub fn replace(&mut self, old: Option<&Entry>, new: &Entry) {
        if let Some(old) = old {
            self.remove(old);
        }
        // A blocked user's messages are evidence, not customers waiting for a reply.
        if new.blocked {
            return;
        }
        let topic = self.intern(&new.topic);
        self.days.entry(new.day).or_default().push(Row {
            conversation: new.conversation,
            opened_ms: new.opened_at.as_millisecond(),
            reply: new.reply_secs.unwrap_or(NO_REPLY),
            topic,
            slot: new.slot,
            marks: new.rating.unwrap_or(0) | if new.waiting { WAITING } else { 0 },
        });
        self.rows += 1;
        if !new.promises.is_none() {
            self.promises.entry(new.day).or_default().push(PromiseRow {
                conversation: new.conversation,
                opened_ms: new.opened_at.as_millisecond(),
                kept: new.promises,
            });
        }
    }

    fn remove(&mut self, old: &Entry) {
        if let Some(rows) = self.promises.get_mut(&old.day) {
            rows.retain(|r| r.conversation != old.conversation);
            if rows.is_empty() {
                self.promises.remove(&old.day);
            }
        }
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
        let promises = self
            .promises
            .range(first..=last.max(first))
            .map(|(d, rows)| (*d, rows.clone()))
            .collect();
        Aggregate {
            topics: self.topics.clone(),
            days,
            rows,
            promises,
        }
    }

    /// The promises of the conversations opened on days `first..=last`.
    pub fn promises(&self, first: i32, last: i32) -> impl Iterator<Item = &PromiseRow> + '_ {
        self.promises
            .range(first..=last.max(first))
            .flat_map(|(_, rows)| rows.iter())
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
        let promises: usize = self
            .promises
            .values()
            .map(|v| v.capacity() * std::mem::size_of::<PromiseRow>() + 48)
            .sum();
        rows + topics + promises
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
            rating: None,
            blocked: false,
            promises: Promises::default(),
            topic: topic.into(),
        }
    }

    #[test]
    fn an_entry_survives_its_encoding() {
        for e in [
            entry(7, 20_000, Some(90), false, "orders"),
            entry(8, -3, None, true, ""),
            entry(9, 1, Some(0), true, "délai ✓"),
            Entry {
                rating: Some(4),
                blocked: true,
                ..entry(10, 2, Some(5), false, "orders")
            },
            Entry {
                promises: Promises {
                    on_time: 2,
                    late: 1,
                },
                ..entry(11, 3, Some(5), false, "orders")
            },
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
        assert!(!one.waiting());
        assert_eq!(a.topic(one.topic), "orders");
        // Moved to another day (a different time zone at the time): the old day empties.
        let moved = entry(1, 11, Some(120), false, "orders");
        a.replace(Some(&answered), &moved);
        assert_eq!(a.days(10, 10).map(|(_, r)| r.len()).sum::<usize>(), 1);
        assert_eq!(a.days(11, 11).map(|(_, r)| r.len()).sum::<usize>(), 1);
        assert_eq!(std::mem::size_of::<Row>(), 24);
    }

    #[test]
    fn a_rating_is_kept_with_its_row_and_a_blocked_conversation_leaves_the_aggregate() {
        let mut a = Aggregate::default();
        let open = entry(1, 10, Some(60), true, "orders");
        a.replace(None, &open);
        let rated = Entry {
            rating: Some(5),
            ..entry(1, 10, Some(60), true, "orders")
        };
        a.replace(Some(&open), &rated);
        let row = *a.all().next().expect("row");
        assert_eq!((row.rating(), row.waiting()), (Some(5), true));
        let blocked = Entry {
            blocked: true,
            ..rated.clone()
        };
        a.replace(Some(&rated), &blocked);
        assert!(a.is_empty(), "counted nowhere");
        a.replace(Some(&blocked), &rated);
        assert_eq!(a.len(), 1, "an unblocked one counts again");
    }

    #[test]
    fn day_numbers_round_trip() {
        let d = Date::constant(2026, 12, 3);
        assert_eq!(day_date(day_number(d)), d);
        assert_eq!(day_number(Date::constant(1970, 1, 2)), 1);
    }
}
