//! A moment as staff type it for `/followup when:`: "tomorrow", "tomorrow 10:00", "friday",
//! "fri 14:30", "17:00", "3h", "in 2d", "2026-12-10", "2026-12-10 09:30". Read in the
//! business's time zone; a day without a time means its opening, as promises do
//! ([`BusinessHours::promise_due`]). Written by hand: the few forms staff type in a chat box
//! are not what a general date parser reads, and a clear refusal matters more than breadth.

use jiff::civil::{Date, Time, Weekday};
use jiff::{SignedDuration, Timestamp};

use crate::duration::parse_duration;
use crate::hours::{BusinessHours, When};

/// Furthest ahead a follow-up may be set.
pub const MAX_AHEAD: SignedDuration = SignedDuration::from_hours(366 * 24);

/// A moment that could not be read, or is not ahead.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BadWhen {
    #[error("{0:?} is not a moment I can read")]
    Unreadable(String),
    #[error("{0:?} is already past")]
    Past(String),
    #[error("{0:?} is more than a year ahead")]
    TooFar(String),
}

impl BadWhen {
    /// Forms that work, for the answer.
    pub fn examples() -> &'static str {
        "`tomorrow`, `tomorrow 10:00`, `friday`, `fri 14:30`, `17:00`, `3h`, `2d`, `2026-12-10 09:30`"
    }
}

/// The moment `text` names, after `now`.
pub fn parse_when(text: &str, now: Timestamp, hours: &BusinessHours) -> Result<Timestamp, BadWhen> {
    let shown = text.trim().to_string();
    let lower = shown.to_lowercase();
    let words: Vec<&str> = lower
        .split_whitespace()
        .filter(|w| !matches!(*w, "at" | "on" | "by" | "next"))
        .collect();
    let unreadable = || BadWhen::Unreadable(shown.clone());
    let at = match words.as_slice() {
        [] => return Err(unreadable()),
        ["in", rest @ ..] if !rest.is_empty() => {
            after(&rest.concat(), now).ok_or_else(unreadable)?
        }
        [one] if parse_duration(one).is_ok() => after(one, now).ok_or_else(unreadable)?,
        [day] => match day_of(day) {
            Some(Day::Opening(when)) => hours.promise_due(now, when, SignedDuration::ZERO),
            Some(Day::Date(date)) => opening_of(date, hours).ok_or_else(unreadable)?,
            Some(Day::Today) => return Err(unreadable()),
            None => {
                let time = clock(day).ok_or_else(unreadable)?;
                // A bare time is its next occurrence: today's, or else tomorrow's.
                let today = local(now, hours).date();
                let at = moment(today, time, hours).ok_or_else(unreadable)?;
                if at > now {
                    at
                } else {
                    let tomorrow = today.tomorrow().map_err(|_| unreadable())?;
                    moment(tomorrow, time, hours).ok_or_else(unreadable)?
                }
            }
        },
        [day, time] => {
            let time = clock(time).ok_or_else(unreadable)?;
            let date = match day_of(day).ok_or_else(unreadable)? {
                Day::Today => local(now, hours).date(),
                Day::Date(date) => date,
                Day::Opening(When::Tomorrow) => local(now, hours)
                    .date()
                    .tomorrow()
                    .map_err(|_| unreadable())?,
                Day::Opening(When::Weekday(d)) => local(now, hours)
                    .date()
                    .nth_weekday(1, d)
                    .map_err(|_| unreadable())?,
                Day::Opening(When::Later) => return Err(unreadable()),
            };
            moment(date, time, hours).ok_or_else(unreadable)?
        }
        _ => return Err(unreadable()),
    };
    if at <= now {
        return Err(BadWhen::Past(shown));
    }
    if at.duration_since(now) > MAX_AHEAD {
        return Err(BadWhen::TooFar(shown));
    }
    Ok(at)
}

/// A day as typed.
enum Day {
    Today,
    /// "tomorrow" or a weekday: the opening of that day, as a promise's.
    Opening(When),
    Date(Date),
}

fn day_of(word: &str) -> Option<Day> {
    match word {
        "today" => Some(Day::Today),
        "tomorrow" | "tmrw" => Some(Day::Opening(When::Tomorrow)),
        _ => weekday(word)
            .map(|d| Day::Opening(When::Weekday(d)))
            .or_else(|| word.parse::<Date>().ok().map(Day::Date)),
    }
}

fn weekday(word: &str) -> Option<Weekday> {
    let day = match word.trim_end_matches('.') {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" | "thurs" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    };
    Some(day)
}

/// "10:00", "9:30", "14h", "10am", "3pm", "3:30pm".
fn clock(word: &str) -> Option<Time> {
    let (digits, offset) = if let Some(d) = word.strip_suffix("am") {
        (d, 0)
    } else if let Some(d) = word.strip_suffix("pm") {
        (d, 12)
    } else {
        (word.strip_suffix('h').unwrap_or(word), 0)
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i8>().ok()?, m.parse::<i8>().ok()?),
        None => (digits.parse::<i8>().ok()?, 0),
    };
    let h = match (word.ends_with("am") || word.ends_with("pm"), h) {
        (true, 1..=11) => h + offset,
        (true, 12) => offset,
        (true, _) => return None,
        (false, _) => h,
    };
    Time::new(h, m, 0, 0).ok()
}

fn after(text: &str, now: Timestamp) -> Option<Timestamp> {
    let d = parse_duration(text).ok()?;
    now.checked_add(d).ok()
}

fn local(now: Timestamp, hours: &BusinessHours) -> jiff::Zoned {
    now.to_zoned(hours.time_zone().clone())
}

fn moment(date: Date, time: Time, hours: &BusinessHours) -> Option<Timestamp> {
    date.to_datetime(time)
        .to_zoned(hours.time_zone().clone())
        .ok()
        .map(|z| z.timestamp())
}

/// The opening of `date` (or the next open moment after its start).
fn opening_of(date: Date, hours: &BusinessHours) -> Option<Timestamp> {
    let start = moment(date, Time::midnight(), hours)?;
    // "Tomorrow" said the day before is `date`'s opening, with the same fallbacks (a closed
    // day, a business always open) as a promise's.
    let eve = start.checked_sub(SignedDuration::from_hours(12)).ok()?;
    Some(hours.promise_due(eve, When::Tomorrow, SignedDuration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Weekdays 9:00–17:00 in London; Tuesday 24 November 2026, 11:00.
    fn hours() -> BusinessHours {
        let day = BusinessHours::parse_day("09:00-17:00").expect("day");
        let week = [
            day.clone(),
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            Vec::new(),
            Vec::new(),
        ];
        BusinessHours::new(
            jiff::tz::TimeZone::get("Europe/London").expect("tz"),
            week,
            Default::default(),
        )
    }

    fn t(s: &str) -> Timestamp {
        s.parse().expect("time")
    }

    fn read(text: &str) -> Result<Timestamp, BadWhen> {
        parse_when(text, t("2026-11-24T11:00:00Z"), &hours())
    }

    #[test]
    fn days_without_a_time_mean_their_opening() {
        assert_eq!(read("tomorrow"), Ok(t("2026-11-25T09:00:00Z")));
        assert_eq!(read("Friday"), Ok(t("2026-11-27T09:00:00Z")));
        assert_eq!(read("by fri"), Ok(t("2026-11-27T09:00:00Z")));
        assert_eq!(read("tuesday"), Ok(t("2026-12-01T09:00:00Z")), "a week on");
        // Saturday is closed: Monday's opening.
        assert_eq!(read("saturday"), Ok(t("2026-11-30T09:00:00Z")));
        assert_eq!(read("2026-12-10"), Ok(t("2026-12-10T09:00:00Z")));
    }

    #[test]
    fn a_time_is_taken_as_typed_in_the_business_time_zone() {
        assert_eq!(read("tomorrow 10:00"), Ok(t("2026-11-25T10:00:00Z")));
        assert_eq!(read("tomorrow at 3pm"), Ok(t("2026-11-25T15:00:00Z")));
        assert_eq!(read("fri 14:30"), Ok(t("2026-11-27T14:30:00Z")));
        assert_eq!(read("today 17:00"), Ok(t("2026-11-24T17:00:00Z")));
        assert_eq!(read("17:00"), Ok(t("2026-11-24T17:00:00Z")));
        assert_eq!(
            read("9:30"),
            Ok(t("2026-11-25T09:30:00Z")),
            "past today: tomorrow's"
        );
        assert_eq!(read("2026-12-10 09:30"), Ok(t("2026-12-10T09:30:00Z")));
        // London is on summer time in July.
        assert_eq!(read("2027-07-01 10:00"), Ok(t("2027-07-01T09:00:00Z")));
    }

    #[test]
    fn durations_count_from_now() {
        assert_eq!(read("3h"), Ok(t("2026-11-24T14:00:00Z")));
        assert_eq!(read("in 2d"), Ok(t("2026-11-26T11:00:00Z")));
        assert_eq!(read("in 1h 30m"), Ok(t("2026-11-24T12:30:00Z")));
    }

    #[test]
    fn what_cannot_be_read_or_is_not_ahead_is_refused_by_name() {
        for text in [
            "",
            "soon",
            "tomorrow 25:00",
            "13pm",
            "today",
            "fri fri 10:00",
            "in",
        ] {
            assert_eq!(
                read(text),
                Err(BadWhen::Unreadable(text.trim().into())),
                "{text:?}"
            );
        }
        assert_eq!(
            read("today 10:00"),
            Err(BadWhen::Past("today 10:00".into()))
        );
        assert_eq!(read("2026-11-01"), Err(BadWhen::Past("2026-11-01".into())));
        assert_eq!(
            read("2028-01-01"),
            Err(BadWhen::TooFar("2028-01-01".into()))
        );
        assert!(BadWhen::examples().contains("`tomorrow 10:00`"));
    }
}
