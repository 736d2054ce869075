//! `/followup when [note] [conversation]`: the caller sets themselves a follow-up on a
//! conversation, a promise like one read in a reply ("I'll get back to you"), reminded when
//! it falls due until someone on staff posts there or it is resolved; and what they are told.
//! The "Remind me" button on a notice sets one for `[promises] remind_after` from now.

use jiff::Timestamp;
use serenity::all as dc;

use super::request::{get, shown, target, text_of, CommandError};
use super::slash::{apply, conversation_option, find, staff, whose, Answer, Invocation, Slash};
use crate::core::{Command, Conversation};
use crate::hours::BusinessHours;
use crate::markdown::literal;
use crate::when::{parse_when, BadWhen};

/// The longest note kept: it is quoted in every reminder.
pub const NOTE_CHARS: u16 = 200;

pub const COMMAND: Slash = Slash {
    name: "followup",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff("followup", "Remind yourself to get back to a customer")
        .add_option(
            Opt::new(
                T::String,
                "when",
                "e.g. tomorrow, tomorrow 10:00, friday, 3h, 2026-12-10 09:30",
            )
            .required(true)
            .max_length(40),
        )
        .add_option(
            Opt::new(T::String, "note", "What to do, quoted in the reminder")
                .max_length(NOTE_CHARS),
        )
        .add_option(conversation_option())
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let hours = &inv.desk.policy().hours;
    let text = text_of(get(inv.args, "when"));
    let due = parse_when(&text, inv.now, hours).map_err(|e| CommandError::BadFollowUpWhen {
        shown: shown(&text),
        why: match e {
            BadWhen::Unreadable(_) => "isn't a moment I can read".to_string(),
            BadWhen::Past(_) => "is already past".to_string(),
            BadWhen::TooFar(_) => "is more than a year ahead".to_string(),
        },
        examples: BadWhen::examples().to_string(),
    })?;
    let note = Some(text_of(get(inv.args, "note"))).filter(|n| !n.trim().is_empty());
    let conv = find(inv.desk, target(inv.args, inv.caller.channel)?, "followup")?;
    let cmd = Command::FollowUp {
        by: inv.caller.user,
        name: inv.caller.name.clone(),
        due: Some(due),
        note,
    };
    let (after, deliver) = apply(inv.desk, &conv, cmd, inv.now)?;
    Ok(Answer {
        buttons: Vec::new(),
        text: set(&after, hours, inv.now),
        deliver,
    })
}

/// What the caller is told once a follow-up is set (by `/followup` or "Remind me").
pub fn set(after: &Conversation, hours: &BusinessHours, now: Timestamp) -> String {
    let Some(p) = &after.promise else {
        return format!("No follow-up is set on {}; try again.", whose(after));
    };
    let note = match &p.note {
        Some(n) => format!(" Your note: “{}”", literal(n)),
        None => String::new(),
    };
    format!(
        "🤝 I'll remind you {} about {}, unless someone on the team posts there first.{note}",
        hours.describe_moment(now, p.due),
        whose(after)
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{at, conversation};
    use super::*;
    use crate::core::Promise;
    use crate::model::UserId;

    #[test]
    fn the_caller_is_told_when_and_about_whom_with_their_note_as_typed() {
        let hours = BusinessHours::always_open(jiff::tz::TimeZone::UTC);
        let mut c = conversation(42, "alice", at("09:00"));
        c.promise = Some(Promise {
            by: UserId(7),
            by_name: "Sam".into(),
            words: "check the **parcel**".into(),
            message: None,
            made_at: at("10:00"),
            due: at("15:00"),
            reminders_sent: 0,
            next_reminder_at: Some(at("15:00")),
            note: Some("check the **parcel**".into()),
        });
        let text = set(&c, &hours, at("10:00"));
        assert!(
            text.starts_with("🤝 I'll remind you today at 15:00 about **alice**"),
            "{text}"
        );
        assert!(
            text.ends_with("Your note: “check the \\*\\*parcel\\*\\*”"),
            "{text}"
        );
        c.promise = None;
        assert!(set(&c, &hours, at("10:00")).starts_with("No follow-up"));
    }
}
