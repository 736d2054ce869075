//! Statistics about reply times, and their charts.
//!
//! - `aggregate`: one small entry per conversation, kept up to date by every commit (the
//!   store persists it, the desk computes it), grouped in memory by the business day the
//!   conversation opened, so nothing here reads every conversation.
//! - `summary`: what a period looks like ([`Summary::compute`]): counts, median and p90 first
//!   reply in open hours, the share within the reply target, per topic, per day, and opened
//!   conversations per weekday and hour.
//! - `render`: the charts as SVG ([`render::first_reply_chart`],
//!   [`render::within_target_by_topic`], [`render::busy_hours_heatmap`]), each with a title
//!   and a description for screen readers.
//! - `png`: an SVG drawn into a PNG ([`png::render`]) with the font bundled in the binary, for
//!   Discord, which shows images but not SVG.
//!
//! Pure apart from `png`'s drawing: no I/O, no clock.

pub mod aggregate;
pub mod png;
pub mod render;
pub mod summary;

pub use aggregate::{Aggregate, Entry, Row};
pub use summary::{DayPoint, Summary, Tally, Window};

#[cfg(test)]
mod tests;
