//! Business hours: a weekly schedule in the owner's time zone, plus holidays.
//!
//! Pure: every question takes the instant it is asked about, so tests pick any day or zone.
//! It also owns [`When`], the moments a staff promise names, so that the promise rules
//! (`responses::promises`) and the core share them without importing each other.

use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// One open interval of a day, `start` inclusive, `end` exclusive; `end` of 00:00 means midnight.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Interval {
    pub start: Time,
    pub end: Time,
}

impl Interval {
    fn contains(&self, t: Time) -> bool {
        t >= self.start && (self.end == Time::midnight() || t < self.end)
    }
}

#[derive(Clone, Debug)]
pub struct BusinessHours {
    tz: TimeZone,
    /// Monday first, as `Weekday::to_monday_zero_offset` counts.
    week: [Vec<Interval>; 7],
    holidays: BTreeSet<Date>,
}

/// When a staff promise falls due, as its words put it (see `responses/promises.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// No day named: `[promises] remind_after` of open time later.
    Later,
    /// "tomorrow": the opening of the next open day.
    Tomorrow,
    /// "by Friday": the opening of the next such day.
    Weekday(Weekday),
}

/// The hour that stands for a day's opening when the business is already open at midnight.
const MORNING: Time = Time::constant(9, 0, 0, 0);

/// Why a day's hours could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a list of opening hours; write e.g. \"09:00-17:00\", \"09:00-12:00, 13:00-17:30\" or \"closed\"")]
pub struct BadHours(pub String);

impl BusinessHours {
    /// Open around the clock, every day: what frontdesk assumes when no hours are configured.
    pub fn always_open(tz: TimeZone) -> Self {
        let all_day = vec![Interval {
            start: Time::midnight(),
            end: Time::midnight(),
        }];
        BusinessHours {
            tz,
            week: std::array::from_fn(|_| all_day.clone()),
            holidays: BTreeSet::new(),
        }
    }

    pub fn new(tz: TimeZone, week: [Vec<Interval>; 7], holidays: BTreeSet<Date>) -> Self {
        BusinessHours { tz, week, holidays }
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// Parses one day's hours: `"09:00-17:00"`, several intervals separated by commas, or `"closed"`.
    pub fn parse_day(text: &str) -> Result<Vec<Interval>, BadHours> {
        let bad = || BadHours(text.to_string());
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("closed") || trimmed.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for part in trimmed.split(',') {
            let (a, b) = part.trim().split_once('-').ok_or_else(bad)?;
            let start: Time = parse_clock(a).ok_or_else(bad)?;
            let end: Time = parse_clock(b).ok_or_else(bad)?;
            if end != Time::midnight() && end <= start {
                return Err(bad());
            }
            out.push(Interval { start, end });
        }
        out.sort_by_key(|i| i.start);
        Ok(out)
    }

    fn intervals_on(&self, date: Date) -> &[Interval] {
        if self.holidays.contains(&date) {
            return &[];
        }
        &self.week[date.weekday().to_monday_zero_offset() as usize]
    }

    pub fn is_open(&self, at: Timestamp) -> bool {
        let local = at.to_zoned(self.tz.clone());
        self.intervals_on(local.date())
            .iter()
            .any(|i| i.contains(local.time()))
    }

    /// The next moment the business opens at or after `at`; `None` if it never does within a year.
    pub fn next_open(&self, at: Timestamp) -> Option<Zoned> {
        let local = at.to_zoned(self.tz.clone());
        if self.is_open(at) {
            return Some(local);
        }
        let mut date = local.date();
        for _ in 0..=366 {
            for interval in self.intervals_on(date) {
                let candidate = date
                    .to_datetime(interval.start)
                    .to_zoned(self.tz.clone())
                    .ok()?;
                if candidate.timestamp() >= at {
                    return Some(candidate);
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// Words for `{opens}`: "now", "today at 9:00", "tomorrow at 9:00", "on Monday at 9:00",
    /// or "on 2 January at 9:00" when it is more than a week away.
    pub fn describe_next_open(&self, at: Timestamp) -> String {
        let Some(next) = self.next_open(at) else {
            return "as soon as possible".to_string();
        };
        if next.timestamp() == at {
            return "now".to_string();
        }
        self.describe_moment(at, next.timestamp())
    }

    /// Words for a moment relative to `now`, in the business's time zone: "today at 15:00",
    /// "tomorrow at 9:00", "on Monday at 9:00", "on 2 January at 9:00".
    pub fn describe_moment(&self, now: Timestamp, at: Timestamp) -> String {
        let when = at.to_zoned(self.tz.clone());
        let today = now.to_zoned(self.tz.clone()).date();
        let clock = Clock(when.time());
        let days = (when.date() - today).get_days();
        match days {
            0 => format!("today at {clock}"),
            1 => format!("tomorrow at {clock}"),
            2..=6 => format!("on {} at {clock}", weekday_name(when.date().weekday())),
            _ => format!(
                "on {} {} at {clock}",
                when.date().day(),
                month_name(when.date().month())
            ),
        }
    }

    /// When a promise made at `made_at` falls due: `Later` = `remind_after` of open time after
    /// it (closed time, nights, weekends, holidays not counted; the first open moment by which
    /// that much has passed, so never at a closing time); `Tomorrow` = the first open moment of
    /// the next open day after made_at's local date; `Weekday(d)` = the first open moment of the
    /// next date (strictly after today) that is weekday d, or the next open moment after it if
    /// that day is closed. A business that never opens falls back to the calendar: wall time
    /// for `Later`, 09:00 of the day for the others.
    pub fn promise_due(
        &self,
        made_at: Timestamp,
        when: When,
        remind_after: jiff::SignedDuration,
    ) -> Timestamp {
        let today = made_at.to_zoned(self.tz.clone()).date();
        let (first_day, calendar) = match when {
            When::Later => {
                return self
                    .after_open_time(made_at, remind_after)
                    .unwrap_or_else(|| {
                        made_at
                            .checked_add(remind_after.max(jiff::SignedDuration::ZERO))
                            .unwrap_or(made_at)
                    })
            }
            When::Tomorrow => {
                let day = today.tomorrow().unwrap_or(today);
                (day, day)
            }
            When::Weekday(d) => {
                let day = today.nth_weekday(1, d).unwrap_or(today);
                (day, day)
            }
        };
        self.first_opening_from(first_day).unwrap_or_else(|| {
            calendar
                .to_datetime(MORNING)
                .to_zoned(self.tz.clone())
                .map_or(made_at, |z| z.timestamp())
        })
    }

    /// The first open moment by which `amount` of open time has passed since `from`; `None`
    /// when the business stays closed for a whole year.
    fn after_open_time(&self, from: Timestamp, amount: jiff::SignedDuration) -> Option<Timestamp> {
        let mut left = amount.max(jiff::SignedDuration::ZERO);
        let mut date = from.to_zoned(self.tz.clone()).date();
        let mut closed_days = 0;
        while closed_days <= 366 {
            let mut opened = false;
            for interval in self.intervals_on(date) {
                let Some((start, end)) = self.span_of(date, *interval) else {
                    continue;
                };
                let start = start.max(from);
                if end <= start {
                    continue;
                }
                opened = true;
                let length = end.duration_since(start);
                // Strictly less: an amount that ends exactly at closing time falls due at the
                // next opening, when someone is there to act on it.
                if left < length {
                    return start.checked_add(left).ok();
                }
                left -= length;
            }
            closed_days = if opened { 0 } else { closed_days + 1 };
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The opening of the first open day on or after `date`, within a year.
    fn first_opening_from(&self, mut date: Date) -> Option<Timestamp> {
        for _ in 0..=366 {
            if let Some(first) = self.intervals_on(date).first() {
                if first.start != Time::midnight() {
                    let opens = date.to_datetime(first.start).to_zoned(self.tz.clone());
                    return opens.ok().map(|z| z.timestamp());
                }
                // Open at midnight (always open, or a night running past it): nobody means
                // 00:00 by "tomorrow", so 09:00 stands for the day's opening, or the next open
                // moment after it.
                let morning = date.to_datetime(MORNING).to_zoned(self.tz.clone()).ok()?;
                return self.next_open(morning.timestamp()).map(|z| z.timestamp());
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// An interval of `date` as instants; one ending at midnight ends at the next day's start.
    fn span_of(&self, date: Date, interval: Interval) -> Option<(Timestamp, Timestamp)> {
        let start = date
            .to_datetime(interval.start)
            .to_zoned(self.tz.clone())
            .ok()?;
        let end_date = if interval.end == Time::midnight() {
            date.tomorrow().ok()?
        } else {
            date
        };
        let end = end_date
            .to_datetime(interval.end)
            .to_zoned(self.tz.clone())
            .ok()?;
        Some((start.timestamp(), end.timestamp()))
    }

    /// Business time between two instants: only the open minutes count. Used for `{eta}`, so a
    /// question asked on Friday evening and answered on Monday morning counts as a short wait.
    pub fn open_time_between(&self, from: Timestamp, to: Timestamp) -> jiff::SignedDuration {
        let mut total = jiff::SignedDuration::ZERO;
        if to <= from {
            return total;
        }
        let mut date = from.to_zoned(self.tz.clone()).date();
        let last = to.to_zoned(self.tz.clone()).date();
        while date <= last {
            for interval in self.intervals_on(date) {
                let Some((start, end)) = self.span_of(date, *interval) else {
                    continue;
                };
                let s = start.max(from);
                let e = end.min(to);
                if e > s {
                    total += e.duration_since(s);
                }
            }
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => break,
            }
        }
        total
    }
}

/// The owner's quiet hours, e.g. 22:00-07:00 (may wrap past midnight): reminders falling due
/// inside them wait until they end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub start: Time,
    pub end: Time,
}

impl QuietHours {
    pub fn parse(text: &str) -> Result<QuietHours, BadHours> {
        let bad = || BadHours(text.to_string());
        let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
        let start = parse_clock(a).ok_or_else(bad)?;
        let end = parse_clock(b).ok_or_else(bad)?;
        if start == end {
            return Err(bad());
        }
        Ok(QuietHours { start, end })
    }

    fn contains(&self, t: Time) -> bool {
        if self.start < self.end {
            t >= self.start && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// If `at` falls in quiet hours (in `tz`), the moment they end.
    pub fn end_after(&self, tz: &TimeZone, at: Timestamp) -> Option<Timestamp> {
        let local = at.to_zoned(tz.clone());
        if !self.contains(local.time()) {
            return None;
        }
        let mut date = local.date();
        if self.start > self.end && local.time() >= self.start {
            date = date.tomorrow().ok()?;
        }
        let end = date.to_datetime(self.end).to_zoned(tz.clone()).ok()?;
        Some(end.timestamp())
    }
}

fn parse_clock(text: &str) -> Option<Time> {
    let text = text.trim();
    if text == "24:00" {
        return Some(Time::midnight());
    }
    let (h, m) = text.split_once(':')?;
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

/// A wall-clock time as people write it: "9:00", "17:30".
struct Clock(Time);

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{:02}", self.0.hour(), self.0.minute())
    }
}

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn month_name(month: i8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get((month - 1).clamp(0, 11) as usize)
        .copied()
        .unwrap_or("")
}

#[cfg(test)]
#[path = "hours_tests.rs"]
mod tests;
