//! The acknowledgement rules from `responses/`: which rule answers a message, and its text.
//!
//! A rule has an optional regex on the message, an optional place scope (`where`), an optional
//! time scope (`when`), an optional customer scope (`returning`), a priority and several
//! variants. The highest-priority rule that fits
//! answers; its variants rotate per customer. The topic (for the owner and `/stats`) is taken
//! from the best rule whose regex matched, so a question about shipping asked at night is
//! still a shipping question even though the "closed" rule answers it.
//!
//! `promises.toml` in the same folder is not an acknowledgement rule file: [`promises`] reads
//! it (which staff replies promise a later answer).

pub mod builtin;
mod load;
pub mod promises;
pub mod replies;
pub mod template;

use std::path::PathBuf;

use regex::RegexSet;

pub(crate) use load::line_of;
pub use load::{ResponsesError, ResponsesErrors, BUILTIN_CLAIMED};
pub use template::{Placeholder, Template, Values, DISCORD_MESSAGE_LIMIT};

use crate::model::{ChannelId, Place, PlaceKind};

/// Limits a rule to some places.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PlaceScope {
    Kind(PlaceKind),
    /// One text channel (messages in its threads count too).
    Channel(ChannelId),
    /// One forum channel.
    Forum(ChannelId),
    /// Forum posts carrying this tag (case-insensitive).
    Tag(String),
}

/// Limits a rule to some moments; a rule applies when any of its conditions holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimeScope {
    /// Inside business hours.
    Open,
    /// Outside business hours (including holidays).
    Closed,
    /// The owner switched on away mode.
    Away,
    /// frontdesk is catching up on a message it missed while it was offline.
    Late,
}

/// The facts about the moment a message is answered.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Moment {
    pub open: bool,
    pub away: bool,
    pub late: bool,
    /// The customer had a conversation before this one.
    pub returning: bool,
}

impl Moment {
    fn holds(&self, scope: TimeScope) -> bool {
        match scope {
            TimeScope::Open => self.open,
            TimeScope::Closed => !self.open,
            TimeScope::Away => self.away,
            TimeScope::Late => self.late,
        }
    }
}

/// Where a rule was written, for messages to the person editing it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Source {
    pub file: PathBuf,
    pub line: usize,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub topic: String,
    pub priority: i64,
    /// The regex as written, and its index in [`Rules::set`].
    pub pattern: Option<(String, usize)>,
    pub places: Vec<PlaceScope>,
    pub times: Vec<TimeScope>,
    /// `returning = true` (regulars only) or `false` (first-timers only); `None`: anyone.
    pub returning: Option<bool>,
    pub variants: Vec<Template>,
    pub source: Source,
}

impl Rule {
    fn fits_place(&self, place: &Place, tags: &[String]) -> bool {
        self.places.is_empty()
            || self.places.iter().any(|s| match (s, place) {
                (PlaceScope::Kind(k), p) => p.kind() == *k,
                (PlaceScope::Channel(c), Place::Channel { channel, .. }) => c == channel,
                (PlaceScope::Forum(f), Place::Forum { forum, .. }) => f == forum,
                (PlaceScope::Tag(t), Place::Forum { .. }) => {
                    tags.iter().any(|tag| tag.eq_ignore_ascii_case(t))
                }
                _ => false,
            })
    }

    fn fits_time(&self, moment: Moment) -> bool {
        (self.times.is_empty() || self.times.iter().any(|t| moment.holds(*t)))
            && self.returning.is_none_or(|r| r == moment.returning)
    }

    /// True for a rule that answers anything, anywhere, any time.
    pub fn is_fallback(&self) -> bool {
        self.pattern.is_none()
            && self.places.is_empty()
            && self.times.is_empty()
            && self.returning.is_none()
    }

    /// Picks a variant so that one customer sees them in turn and different customers start
    /// at different ones. `nth` counts the customer's earlier conversations.
    pub fn variant(&self, customer: u64, nth: u64) -> &Template {
        let n = self.variants.len().max(1) as u64;
        let index = (mix(customer).wrapping_add(nth) % n) as usize;
        &self.variants[index.min(self.variants.len().saturating_sub(1))]
    }
}

/// A stable, well-spread hash of an id (splitmix64), so rotation does not depend on the low
/// bits of snowflakes, which are mostly a per-process counter.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A loaded, validated rule set. Always holds a fallback rule, so every message gets an answer.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Highest priority first; ties keep file order.
    rules: Vec<Rule>,
    /// All regexes, tried in one pass over the message.
    set: RegexSet,
    fallback: usize,
    /// `[claimed]`: what the customer is told when someone on staff takes their conversation
    /// (the built-in text when no file has one). Never empty.
    claimed: Vec<Template>,
}

/// The rule that answers a message, and what the message is about.
#[derive(Clone, Copy, Debug)]
pub struct Selection<'a> {
    pub rule: &'a Rule,
    pub topic: &'a str,
}

/// The topic of a message no topic rule recognised.
pub const GENERAL_TOPIC: &str = "general";

impl Rules {
    /// Loads every `*.toml` file in `dir` but `promises.toml`, reporting all problems at once.
    pub fn load_dir(dir: &std::path::Path) -> Result<Rules, ResponsesErrors> {
        load::load_dir(dir)
    }

    /// Loads rules from in-memory files `(name, text)`; used by tests and `check`.
    pub fn from_sources(files: &[(PathBuf, String)]) -> Result<Rules, ResponsesErrors> {
        load::from_sources(files)
    }

    /// The text telling a customer who took their conversation, rotating per customer like
    /// an acknowledgement's variants; `nth` counts the conversation's earlier claims.
    pub fn claimed(&self, customer: u64, nth: u64) -> Option<&Template> {
        let n = self.claimed.len() as u64;
        (n > 0).then(|| &self.claimed[(mix(customer).wrapping_add(nth) % n.max(1)) as usize])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Chooses the acknowledgement rule for a message; `text` is empty when Discord withheld
    /// the content, which leaves only rules without a regex.
    pub fn select(
        &self,
        text: &str,
        place: &Place,
        tags: &[String],
        moment: Moment,
    ) -> Selection<'_> {
        let matched = self.set.matches(text);
        let regex_ok = |r: &Rule| r.pattern.as_ref().is_none_or(|(_, i)| matched.matched(*i));
        let rule = self
            .rules
            .iter()
            .find(|r| regex_ok(r) && r.fits_place(place, tags) && r.fits_time(moment))
            .unwrap_or(&self.rules[self.fallback]);
        let topic = self
            .rules
            .iter()
            .find(|r| r.pattern.is_some() && regex_ok(r) && r.fits_place(place, tags))
            .map_or(GENERAL_TOPIC, |r| r.topic.as_str());
        Selection { rule, topic }
    }
}

#[cfg(test)]
mod promises_tests;
