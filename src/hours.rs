//! Business hours: a weekly schedule in the owner's time zone, plus holidays.
//!
//! Pure: every question takes the instant it is asked about, so tests pick any day or zone.

use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

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

    /// Business time between two instants: only the open minutes count. Used for `{eta}`, so a
    /// question asked on Friday evening and answered on Monday morning counts as a short wait.
    pub fn open_time_between(&self, from: Timestamp, to: Timestamp) -> jiff::SignedDuration {
        let mut total = jiff::SignedDuration::ZERO;
        if to <= from {
            return total;
        }
        let tz = &self.tz;
        let mut date = from.to_zoned(tz.clone()).date();
        let last = to.to_zoned(tz.clone()).date();
        while date <= last {
            for interval in self.intervals_on(date) {
                let start = date.to_datetime(interval.start).to_zoned(tz.clone());
                let end_date = if interval.end == Time::midnight() {
                    date.checked_add(1.day())
                } else {
                    Ok(date)
                };
                let end = end_date.and_then(|d| d.to_datetime(interval.end).to_zoned(tz.clone()));
                let (Ok(start), Ok(end)) = (start, end) else {
                    continue;
                };
                let s = start.timestamp().max(from);
                let e = end.timestamp().min(to);
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

// SHIM until the promise dates land.
impl BusinessHours {
    pub fn promise_due(
        &self,
        made_at: Timestamp,
        when: crate::responses::promises::When,
        remind_after: jiff::SignedDuration,
    ) -> Timestamp {
        use crate::responses::promises::When;
        match when {
            When::Later => made_at.checked_add(remind_after).unwrap_or(made_at),
            _ => made_at
                .checked_add(jiff::SignedDuration::from_hours(24))
                .unwrap_or(made_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> BusinessHours {
        let tz = TimeZone::get("Europe/London").expect("tzdb");
        let weekday = BusinessHours::parse_day("09:00-17:00").expect("valid");
        let saturday = BusinessHours::parse_day("10:00-13:00").expect("valid");
        let mut holidays = BTreeSet::new();
        holidays.insert(jiff::civil::date(2026, 12, 25));
        BusinessHours::new(
            tz,
            [
                weekday.clone(),
                weekday.clone(),
                weekday.clone(),
                weekday.clone(),
                weekday,
                saturday,
                Vec::new(),
            ],
            holidays,
        )
    }

    fn at(s: &str) -> Timestamp {
        // Local London times in winter equal UTC.
        format!("{s}Z").parse().expect("timestamp")
    }

    #[test]
    fn open_inside_hours_and_closed_outside() {
        let h = shop();
        assert!(h.is_open(at("2026-11-23T09:00:00")));
        assert!(h.is_open(at("2026-11-23T16:59:59")));
        assert!(!h.is_open(at("2026-11-23T17:00:00")));
        assert!(!h.is_open(at("2026-11-29T12:00:00")), "Sunday is closed");
        assert!(!h.is_open(at("2026-12-25T12:00:00")), "holiday");
    }

    #[test]
    fn describes_when_it_opens() {
        let h = shop();
        assert_eq!(h.describe_next_open(at("2026-11-23T10:00:00")), "now");
        assert_eq!(
            h.describe_next_open(at("2026-11-23T07:00:00")),
            "today at 9:00"
        );
        assert_eq!(
            h.describe_next_open(at("2026-11-23T18:00:00")),
            "tomorrow at 9:00"
        );
        // Saturday afternoon: Sunday closed, so Monday.
        assert_eq!(
            h.describe_next_open(at("2026-11-28T14:00:00")),
            "on Monday at 9:00"
        );
        // Christmas Eve evening: the 25th is a holiday, Saturday the 26th opens at 10.
        assert_eq!(
            h.describe_next_open(at("2026-12-24T18:00:00")),
            "on Saturday at 10:00"
        );
    }

    #[test]
    fn never_open_has_honest_words() {
        let h = BusinessHours::new(TimeZone::UTC, Default::default(), BTreeSet::new());
        assert_eq!(h.next_open(at("2026-11-23T10:00:00")), None);
        assert_eq!(
            h.describe_next_open(at("2026-11-23T10:00:00")),
            "as soon as possible"
        );
    }

    #[test]
    fn open_time_counts_only_open_minutes() {
        let h = shop();
        // Friday 16:00 to Monday 10:00: 1 h Friday + 3 h Saturday + 1 h Monday.
        let d = h.open_time_between(at("2026-11-27T16:00:00"), at("2026-11-30T10:00:00"));
        assert_eq!(d, jiff::SignedDuration::from_hours(5));
        let all = BusinessHours::always_open(TimeZone::UTC);
        let d = all.open_time_between(at("2026-11-27T16:00:00"), at("2026-11-28T16:30:00"));
        assert_eq!(d, jiff::SignedDuration::from_mins(24 * 60 + 30));
    }

    #[test]
    fn hours_in_another_zone_follow_its_clock() {
        let tz = TimeZone::get("America/Toronto").expect("tzdb");
        let day = BusinessHours::parse_day("09:00-17:00").expect("valid");
        let h = BusinessHours::new(tz, std::array::from_fn(|_| day.clone()), BTreeSet::new());
        // 14:00 UTC is 09:00 in Toronto (EST, UTC-5) in November.
        assert!(h.is_open(at("2026-11-23T14:00:00")));
        assert!(!h.is_open(at("2026-11-23T13:59:00")));
    }

    #[test]
    fn quiet_hours_wrap_past_midnight() {
        let q = QuietHours::parse("22:00-07:00").expect("valid");
        let tz = TimeZone::UTC;
        assert_eq!(q.end_after(&tz, at("2026-11-23T21:59:00")), None);
        assert_eq!(
            q.end_after(&tz, at("2026-11-23T23:30:00")),
            Some(at("2026-11-24T07:00:00"))
        );
        assert_eq!(
            q.end_after(&tz, at("2026-11-24T03:00:00")),
            Some(at("2026-11-24T07:00:00"))
        );
        assert_eq!(q.end_after(&tz, at("2026-11-24T07:00:00")), None);
        let lunch = QuietHours::parse("12:00-13:00").expect("valid");
        assert_eq!(
            lunch.end_after(&tz, at("2026-11-24T12:30:00")),
            Some(at("2026-11-24T13:00:00"))
        );
        assert!(QuietHours::parse("22:00").is_err());
    }

    #[test]
    fn bad_hours_say_how_to_write_them() {
        for bad in ["9-5", "17:00-09:00", "09:00", "25:00-26:00"] {
            let err = BusinessHours::parse_day(bad).expect_err(bad);
            assert!(err.to_string().contains("09:00-17:00"), "{err}");
        }
        assert_eq!(BusinessHours::parse_day("closed"), Ok(Vec::new()));
        assert_eq!(
            BusinessHours::parse_day("00:00-24:00").map(|v| v.len()),
            Ok(1)
        );
    }
}
