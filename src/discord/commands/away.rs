//! `/away until [message]`: away mode, in which acknowledgements tell customers when the
//! owner is back (or `until:off`), and what the owner is told after it.

use jiff::{SignedDuration, Timestamp};
use serenity::all as dc;

use super::request::{get, shown, text_of, Arg, CommandError};
use super::slash::{staff, Answer, Invocation, Slash};
use crate::core::Away;
use crate::duration::{parse_duration, Humane};

/// Longest `/away` note kept: it is quoted in every acknowledgement while away.
pub const AWAY_NOTE_CHARS: usize = 300;

pub const COMMAND: Slash = Slash {
    name: "away",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff(
        "away",
        "Away mode: acknowledgements tell customers when you're back",
    )
    .add_option(
        Opt::new(
            T::String,
            "until",
            "How long you're away, e.g. 3d or 12h — or \"off\" when you're back",
        )
        .required(true)
        .max_length(40),
    )
    .add_option(
        Opt::new(
            T::String,
            "message",
            "A short note added to the away message",
        )
        .max_length(AWAY_NOTE_CHARS as u16),
    )
}

/// `/away`'s two forms.
#[derive(Clone, Debug, PartialEq, Eq)]
enum AwayRequest {
    For {
        duration: SignedDuration,
        note: String,
    },
    Off,
}

fn options(args: &[(String, Arg)]) -> Result<AwayRequest, CommandError> {
    let text = text_of(get(args, "until"));
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(AwayRequest::Off);
    }
    let duration = parse_duration(&text).map_err(|_| CommandError::BadAwayUntil {
        shown: shown(&text),
    })?;
    let note: String = text_of(get(args, "message"))
        .trim()
        .chars()
        .take(AWAY_NOTE_CHARS)
        .collect();
    Ok(AwayRequest::For { duration, note })
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let (desk, now) = (inv.desk, inv.now);
    match options(inv.args)? {
        AwayRequest::Off => {
            let was_on = desk.away().is_some();
            desk.set_away(None)?;
            Ok(Answer::text(away_off(was_on)))
        }
        AwayRequest::For { duration, note } => {
            let until = now.saturating_add(duration).unwrap_or(now);
            desk.set_away(Some(&Away {
                until: Some(until),
                note: note.clone(),
            }))?;
            let policy = desk.policy();
            let when = policy.hours.describe_moment(now, until);
            Ok(Answer::text(away_on(
                &policy.owner_name,
                until,
                now,
                &when,
                &note,
            )))
        }
    }
}

/// `when` is the end of the away period in words.
pub fn away_on(owner: &str, until: Timestamp, now: Timestamp, when: &str, note: &str) -> String {
    let note = if note.is_empty() {
        String::new()
    } else {
        format!(" with your note: “{note}”")
    };
    format!(
        "🏖️ Away mode is on for {} (until {when}). Customers who write meanwhile are told {owner} is away and back {when}{note}. `/away until:off` when you're back.",
        Humane(until.duration_since(now))
    )
}

pub fn away_off(was_on: bool) -> String {
    if was_on {
        "👋 Welcome back! Away mode is off: customers get the usual acknowledgements again."
            .to_string()
    } else {
        "Away mode was already off.".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{args, at, text};
    use super::*;

    #[test]
    fn reads_how_long_and_the_note_or_off() {
        assert_eq!(
            options(&args(&[
                ("until", text("3d")),
                ("message", text(" Back Monday "))
            ]))
            .expect("3d"),
            AwayRequest::For {
                duration: SignedDuration::from_hours(72),
                note: "Back Monday".into()
            }
        );
        assert_eq!(
            options(&args(&[("until", text("OFF"))])).expect("off"),
            AwayRequest::Off
        );
    }

    #[test]
    fn a_bad_until_says_what_to_type() {
        let away = options(&args(&[("until", text("next week"))]))
            .expect_err("next week")
            .to_string();
        assert!(
            away.contains("`/away until:3d`") && away.contains("off"),
            "{away}"
        );
    }

    #[test]
    fn a_long_away_note_is_shortened() {
        let long = "x".repeat(1000);
        let Ok(AwayRequest::For { note, .. }) =
            options(&args(&[("until", text("1d")), ("message", text(&long))]))
        else {
            panic!("parsed");
        };
        assert_eq!(note.chars().count(), AWAY_NOTE_CHARS);
    }

    #[test]
    fn away_mode_says_until_when_and_quotes_the_note() {
        let text = away_on(
            "Sam",
            at("12:00"),
            at("10:00"),
            "today at 12:00",
            "At a fair",
        );
        assert!(
            text.starts_with("🏖️ Away mode is on for 2 h (until today at 12:00)."),
            "{text}"
        );
        assert!(text.contains("with your note: “At a fair”"), "{text}");
        assert!(away_off(true).contains("Away mode is off"));
        assert_eq!(away_off(false), "Away mode was already off.");
    }
}
