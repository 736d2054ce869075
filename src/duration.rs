//! Humane durations ("30m", "2h", "1d", "1h30m") for the config and for `/snooze`, and
//! how far a moment is from now in words ("due in 3 h", "5 min ago").

use std::fmt;

use jiff::{SignedDuration, Timestamp};

/// A duration that could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{text:?} is not a duration")]
pub struct BadDuration {
    pub text: String,
}

impl BadDuration {
    pub fn fix(&self) -> String {
        "write a number and a unit: \"30m\", \"2h\", \"1d\", \"1h30m\" (units: s, m, h, d, w)"
            .into()
    }
}

/// Parses `"90s"`, `"30m"`, `"2h"`, `"1d"`, `"1w"` and sums like `"1h30m"` (spaces allowed).
pub fn parse_duration(text: &str) -> Result<SignedDuration, BadDuration> {
    let bad = || BadDuration {
        text: text.to_string(),
    };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.to_ascii_lowercase();
    if compact.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut chars = compact.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let mut unit = String::from(c);
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let seconds: i64 = match unit.as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 604_800,
            _ => return Err(bad()),
        };
        let n: i64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total = n
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
    }
    // A bare number has no unit: refuse rather than guess minutes or seconds.
    if !number.is_empty() || total <= 0 || total > 366 * 86_400 {
        return Err(bad());
    }
    Ok(SignedDuration::from_secs(total))
}

/// A short human form: "45s", "12 min", "2 h 5 min", "3 days".
pub struct Humane(pub SignedDuration);

impl fmt::Display for Humane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs().max(0);
        let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
        match (d, h, m) {
            (0, 0, 0) => write!(f, "{secs}s"),
            (0, 0, m) => write!(f, "{m} min"),
            (0, h, 0) => write!(f, "{h} h"),
            (0, h, m) => write!(f, "{h} h {m} min"),
            (1, 0, _) => write!(f, "1 day"),
            (d, 0, _) => write!(f, "{d} days"),
            (d, h, _) => write!(f, "{d} d {h} h"),
        }
    }
}

/// When `due` is, seen from `now`: "due in 3 h", or "overdue 2 h" once it has passed.
pub fn due_words(due: Timestamp, now: Timestamp) -> String {
    if due > now {
        format!("due in {}", Humane(due.duration_since(now)))
    } else {
        format!("overdue {}", Humane(now.duration_since(due)))
    }
}

/// How long ago `then` was, seen from `now`: "5 min ago", or "just now" under a minute.
pub fn ago(then: Timestamp, now: Timestamp) -> String {
    let d = now.duration_since(then);
    if d < SignedDuration::from_mins(1) {
        "just now".to_string()
    } else {
        format!("{} ago", Humane(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_humane_durations() {
        let cases = [
            ("30m", 1800),
            ("2h", 7200),
            ("1d", 86_400),
            ("1h30m", 5400),
            ("1h 30m", 5400),
            ("90s", 90),
            ("2 hours", 7200),
            ("1W", 604_800),
        ];
        for (text, secs) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(SignedDuration::from_secs(secs)),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_it_would_have_to_guess() {
        for text in [
            "",
            "30",
            "abc",
            "5y",
            "0m",
            "-1h",
            "99999999999999999999d",
            "400d",
        ] {
            let err = parse_duration(text).expect_err(text);
            assert!(err.fix().contains("\"2h\""));
        }
    }

    #[test]
    fn prints_short_forms() {
        let f = |s| Humane(SignedDuration::from_secs(s)).to_string();
        assert_eq!(f(45), "45s");
        assert_eq!(f(720), "12 min");
        assert_eq!(f(7500), "2 h 5 min");
        assert_eq!(f(3 * 86_400 + 60), "3 days");
        assert_eq!(f(86_400 + 7200), "1 d 2 h");
    }
}
