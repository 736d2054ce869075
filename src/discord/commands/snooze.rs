//! `/snooze duration [conversation]`: pauses a waiting conversation's reminders, and what
//! staff are told after it.

use jiff::SignedDuration;
use serenity::all as dc;

use super::request::{get, shown, target, text_of, Arg, CommandError, Target};
use super::slash::{apply, conversation_option, find, staff, whose, Answer, Invocation, Slash};
use crate::core::{Command, Conversation, State};
use crate::duration::{parse_duration, Humane};
use crate::model::ChannelId;

pub const COMMAND: Slash = Slash {
    name: "snooze",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff("snooze", "Pause the reminders for a conversation")
        .add_option(
            Opt::new(T::String, "duration", "How long, e.g. 30m, 2h or 1d")
                .required(true)
                .max_length(40),
        )
        .add_option(conversation_option())
}

/// How long, and which conversation.
fn options(
    args: &[(String, Arg)],
    channel: ChannelId,
) -> Result<(SignedDuration, Target), CommandError> {
    let text = text_of(get(args, "duration"));
    let duration = parse_duration(&text).map_err(|_| CommandError::BadSnoozeDuration {
        shown: shown(&text),
    })?;
    Ok((duration, target(args, channel)?))
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let (duration, target) = options(inv.args, inv.caller.channel)?;
    let (desk, now) = (inv.desk, inv.now);
    let before = find(desk, target, "snooze")?;
    let until = now.saturating_add(duration).unwrap_or(now);
    let by = inv.caller.user;
    let (after, deliver) = apply(desk, &before, Command::Snooze { by, until }, now)?;
    let when = desk.policy().hours.describe_moment(now, until);
    Ok(Answer {
        buttons: Vec::new(),
        text: snoozed(before.state, &after, duration, &when),
        deliver,
    })
}

/// `when` is `until` in words ("today at 15:00").
pub fn snoozed(
    before: State,
    after: &Conversation,
    duration: SignedDuration,
    when: &str,
) -> String {
    if before != State::Waiting {
        return format!(
            "{} is {}, not waiting for a reply, so there are no reminders to snooze.",
            whose(after),
            before.as_str()
        );
    }
    format!(
        "😴 Snoozed reminders for {} for {} (until {when}). A reply from you still ends them.",
        whose(after),
        Humane(duration)
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{args, at, conversation, text, HERE};
    use super::*;

    #[test]
    fn reads_the_duration_and_the_conversation_here() {
        assert_eq!(
            options(&args(&[("duration", text("2h"))]), HERE).expect("2h"),
            (SignedDuration::from_hours(2), Target::Here(HERE))
        );
    }

    #[test]
    fn a_bad_duration_says_what_to_type() {
        let e = |a: &[(&str, Arg)]| options(&args(a), HERE).expect_err("bad").to_string();
        let snooze = e(&[("duration", text("soon"))]);
        assert!(snooze.starts_with("`soon` isn't a duration"), "{snooze}");
        assert!(snooze.contains("`/snooze duration:2h`"), "{snooze}");
        assert!(e(&[]).starts_with("An empty value"));
    }

    #[test]
    fn wording_follows_what_the_core_changed() {
        let c = conversation(42, "alice", at("09:00"));
        let s = snoozed(
            State::Waiting,
            &c,
            SignedDuration::from_hours(2),
            "today at 11:00",
        );
        assert!(s.contains("for 2 h (until today at 11:00)"), "{s}");
        assert!(
            snoozed(State::Answered, &c, SignedDuration::from_hours(2), "x")
                .contains("no reminders to snooze")
        );
    }
}
