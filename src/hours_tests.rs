//! Business hours: opening times, holidays, time zones, open time between two moments, and
//! when a promise falls due.

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

/// The shop without its Saturday: closed all weekend.
fn weekdays() -> BusinessHours {
    let mut week = shop().week.clone();
    week[5] = Vec::new();
    BusinessHours::new(shop().tz.clone(), week, shop().holidays.clone())
}

const DAY: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

#[test]
fn a_later_promise_counts_only_open_time() {
    let h = shop();
    let hours = jiff::SignedDuration::from_hours;
    // Over a night: Monday 15:00-17:00, then Tuesday 09:00-11:00.
    let due = h.promise_due(at("2026-11-23T15:00:00"), When::Later, hours(4));
    assert_eq!(due, at("2026-11-24T11:00:00"));
    // Over a weekend: Friday 2 h, Saturday 3 h, Sunday closed, Monday and Tuesday 8 h
    // each, Wednesday the last 3 h.
    let due = h.promise_due(at("2026-11-27T15:00:00"), When::Later, DAY);
    assert_eq!(due, at("2026-12-02T12:00:00"));
    // Over a holiday: Thursday 1 h, Christmas closed, Saturday 10:00-12:00.
    let due = h.promise_due(at("2026-12-24T16:00:00"), When::Later, hours(3));
    assert_eq!(due, at("2026-12-26T12:00:00"));
    // Exactly used up at Saturday's closing: due when the shop next opens, Monday.
    let due = h.promise_due(at("2026-12-24T16:00:00"), When::Later, hours(4));
    assert_eq!(due, at("2026-12-28T09:00:00"));
    // Made on a closed Sunday: the hour counts from Monday's opening.
    let due = h.promise_due(at("2026-11-29T12:00:00"), When::Later, hours(1));
    assert_eq!(due, at("2026-11-30T10:00:00"));
}

#[test]
fn tomorrow_is_the_next_open_days_opening() {
    // Friday evening with the weekend closed: Monday's opening.
    let due = weekdays().promise_due(at("2026-11-27T18:00:00"), When::Tomorrow, DAY);
    assert_eq!(due, at("2026-11-30T09:00:00"));
    // With Saturday open, Saturday's opening.
    let due = shop().promise_due(at("2026-11-27T18:00:00"), When::Tomorrow, DAY);
    assert_eq!(due, at("2026-11-28T10:00:00"));
    // Said early on Monday, before opening: still the next day, not today.
    let due = shop().promise_due(at("2026-11-23T07:00:00"), When::Tomorrow, DAY);
    assert_eq!(due, at("2026-11-24T09:00:00"));
    // Christmas Eve: the 25th is a holiday.
    let due = weekdays().promise_due(at("2026-12-24T12:00:00"), When::Tomorrow, DAY);
    assert_eq!(due, at("2026-12-28T09:00:00"));
}

#[test]
fn a_weekday_is_the_next_such_days_opening() {
    let h = weekdays();
    let friday = When::Weekday(Weekday::Friday);
    // Said on Tuesday: this Friday.
    let due = h.promise_due(at("2026-11-24T10:00:00"), friday, DAY);
    assert_eq!(due, at("2026-11-27T09:00:00"));
    // Said on Friday, even before opening: next Friday.
    let due = h.promise_due(at("2026-11-27T08:00:00"), friday, DAY);
    assert_eq!(due, at("2026-12-04T09:00:00"));
    // Said on Tuesday before a Christmas Friday: the next open moment after it.
    let due = h.promise_due(at("2026-12-22T10:00:00"), friday, DAY);
    assert_eq!(due, at("2026-12-28T09:00:00"));
    let due = shop().promise_due(at("2026-12-22T10:00:00"), friday, DAY);
    assert_eq!(due, at("2026-12-26T10:00:00"));
    // A closed Sunday named on a Saturday: Monday's opening.
    let sunday = When::Weekday(Weekday::Sunday);
    let due = h.promise_due(at("2026-11-28T12:00:00"), sunday, DAY);
    assert_eq!(due, at("2026-11-30T09:00:00"));
}

#[test]
fn always_open_promises_fall_due_in_the_morning_or_after_wall_time() {
    let h = BusinessHours::always_open(TimeZone::UTC);
    let made = at("2026-11-23T15:00:00");
    assert_eq!(
        h.promise_due(made, When::Later, DAY),
        at("2026-11-24T15:00:00")
    );
    assert_eq!(
        h.promise_due(made, When::Tomorrow, DAY),
        at("2026-11-24T09:00:00")
    );
    assert_eq!(
        h.promise_due(made, When::Weekday(Weekday::Friday), DAY),
        at("2026-11-27T09:00:00")
    );
    // A bar open past midnight: its day opens in the evening, not at 00:00 or 09:00.
    let night = BusinessHours::parse_day("00:00-02:00, 18:00-24:00").expect("valid");
    let bar = BusinessHours::new(
        TimeZone::UTC,
        std::array::from_fn(|_| night.clone()),
        BTreeSet::new(),
    );
    assert_eq!(
        bar.promise_due(made, When::Tomorrow, DAY),
        at("2026-11-24T18:00:00")
    );
}

#[test]
fn a_business_that_never_opens_falls_back_to_the_calendar() {
    let h = BusinessHours::new(TimeZone::UTC, Default::default(), BTreeSet::new());
    let made = at("2026-11-23T15:00:00");
    assert_eq!(
        h.promise_due(made, When::Later, DAY),
        at("2026-11-24T15:00:00")
    );
    assert_eq!(
        h.promise_due(made, When::Tomorrow, DAY),
        at("2026-11-24T09:00:00")
    );
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
