//! When the weekly digest is due: at the start of the week's first open hours (business
//! time), once per week, about the week before. Pure: the caller passes the clock reading and
//! the last week a digest was queued for.

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};

use crate::hours::BusinessHours;

/// A week, named by its Monday (days since 1970-01-01, business calendar).
pub type WeekId = i32;

/// The week a digest reports on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DigestWeek {
    /// The week the digest is sent in (its Monday): sent once per such week.
    pub sent_in: WeekId,
    /// Last week's first instant (Monday 00:00, business time)…
    pub since: Timestamp,
    /// …and its last (just before this Monday 00:00).
    pub until: Timestamp,
}

/// What to do about the weekly digest now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestDue {
    /// Not yet (before this week's first opening, or already queued this week).
    Nothing,
    /// No digest was ever queued: start counting from this week, so a first start never sends
    /// a digest about a week frontdesk did not see.
    Begin(WeekId),
    /// Queue the digest about the week before.
    Send(DigestWeek),
}

/// Decides whether the weekly digest is due at `now`, given the week the last one was
/// queued in (`None`: never).
pub fn weekly_digest(hours: &BusinessHours, now: Timestamp, last: Option<WeekId>) -> DigestDue {
    let tz = hours.time_zone();
    let today = now.to_zoned(tz.clone()).date();
    let monday = today
        .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
        .unwrap_or(today);
    let week = week_id(monday);
    let Some(last) = last else {
        return DigestDue::Begin(week);
    };
    if last >= week {
        return DigestDue::Nothing;
    }
    let Some(start) = midnight(monday, hours) else {
        return DigestDue::Nothing;
    };
    // The first open moment of this week; a week that never opens sends nothing.
    let Some(first_open) = hours.next_open(start).map(|z| z.timestamp()) else {
        return DigestDue::Nothing;
    };
    let next_week = monday
        .checked_add(jiff::Span::new().days(7))
        .ok()
        .and_then(|d| midnight(d, hours));
    if now < first_open || next_week.is_some_and(|n| first_open >= n) {
        return DigestDue::Nothing;
    }
    let since = monday
        .checked_sub(jiff::Span::new().days(7))
        .ok()
        .and_then(|d| midnight(d, hours))
        .unwrap_or(start);
    DigestDue::Send(DigestWeek {
        sent_in: week,
        since,
        until: start - SignedDuration::from_nanos(1),
    })
}

fn week_id(monday: Date) -> WeekId {
    (monday - Date::constant(1970, 1, 1)).get_days()
}

fn midnight(date: Date, hours: &BusinessHours) -> Option<Timestamp> {
    date.to_datetime(Time::midnight())
        .to_zoned(hours.time_zone().clone())
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use jiff::tz::TimeZone;

    use super::*;

    /// Open 09:00-17:00 Monday to Friday in Toronto.
    fn hours() -> BusinessHours {
        let day = BusinessHours::parse_day("09:00-17:00").expect("hours");
        let week = std::array::from_fn(|i| if i < 5 { day.clone() } else { Vec::new() });
        BusinessHours::new(
            TimeZone::get("America/Toronto").expect("tz"),
            week,
            BTreeSet::new(),
        )
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("time")
    }

    #[test]
    fn due_at_the_first_opening_of_the_week_once() {
        let h = hours();
        // Monday 7 December 2026, 08:59 and 09:00 in Toronto (UTC-5).
        let before = at("2026-12-07T13:59:00Z");
        let opening = at("2026-12-07T14:00:00Z");
        let last_week = week_id(Date::constant(2026, 11, 30));
        assert_eq!(
            weekly_digest(&h, before, Some(last_week)),
            DigestDue::Nothing
        );
        let DigestDue::Send(week) = weekly_digest(&h, opening, Some(last_week)) else {
            panic!("due at the opening");
        };
        assert_eq!(week.sent_in, week_id(Date::constant(2026, 12, 7)));
        assert_eq!(week.since, at("2026-11-30T05:00:00Z"));
        assert_eq!(
            week.until,
            at("2026-12-07T05:00:00Z") - SignedDuration::from_nanos(1)
        );
        // Queued: nothing more this week, even days later.
        assert_eq!(
            weekly_digest(&h, at("2026-12-10T15:00:00Z"), Some(week.sent_in)),
            DigestDue::Nothing
        );
        // A bot that was down at the opening sends it when it is back, later that week.
        assert!(matches!(
            weekly_digest(&h, at("2026-12-09T20:00:00Z"), Some(last_week)),
            DigestDue::Send(_)
        ));
    }

    #[test]
    fn a_holiday_monday_moves_it_to_tuesday_and_a_first_start_only_begins_counting() {
        let mut h = hours();
        let day = BusinessHours::parse_day("09:00-17:00").expect("hours");
        let week = std::array::from_fn(|i| if i < 5 { day.clone() } else { Vec::new() });
        h = BusinessHours::new(
            h.time_zone().clone(),
            week,
            BTreeSet::from([Date::constant(2026, 12, 7)]),
        );
        let last_week = week_id(Date::constant(2026, 11, 30));
        assert_eq!(
            weekly_digest(&h, at("2026-12-07T15:00:00Z"), Some(last_week)),
            DigestDue::Nothing
        );
        assert!(matches!(
            weekly_digest(&h, at("2026-12-08T14:00:00Z"), Some(last_week)),
            DigestDue::Send(_)
        ));
        assert_eq!(
            weekly_digest(&h, at("2026-12-08T14:00:00Z"), None),
            DigestDue::Begin(week_id(Date::constant(2026, 12, 7)))
        );
    }
}
