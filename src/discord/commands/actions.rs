//! What staff are told after `/resolve`, `/reopen`, `/snooze`, `/away` and a notice's
//! buttons. Pure: given the conversation before and after the command (the core decides what
//! changed).

use jiff::{SignedDuration, Timestamp};

use crate::core::{Conversation, State};
use crate::discord::outbound::Action;
use crate::duration::Humane;
use crate::markdown::literal;

fn whose(c: &Conversation) -> String {
    format!(
        "**{}**'s conversation about {} (id `{}`)",
        literal(&c.customer_name),
        c.topic,
        c.id
    )
}

/// After a notice's Snooze 1 h or Mark answered button, given the conversation after it.
pub fn button_answer(action: Action, after: &Conversation) -> String {
    let who = literal(&after.customer_name);
    match action {
        Action::SnoozeHour if after.state == State::Waiting => {
            format!("Snoozed: reminders about **{who}** pause for an hour.")
        }
        Action::SnoozeHour => {
            format!("**{who}**'s conversation is not waiting any more; nothing to snooze.")
        }
        Action::MarkAnswered | Action::Rate(_) => {
            format!("Marked answered: no more reminders about **{who}**.")
        }
    }
}

pub fn resolved(before: State, after: &Conversation) -> String {
    match before {
        State::Resolved => format!("{} was already resolved.", whose(after)),
        State::Waiting => format!(
            "✅ Resolved {}. Its reminders have stopped; if the customer writes again it reopens.",
            whose(after)
        ),
        State::Answered => format!(
            "✅ Resolved {}. If the customer writes again it reopens.",
            whose(after)
        ),
    }
}

pub fn reopened(before: State, after: &Conversation) -> String {
    if before != State::Resolved {
        return format!(
            "{} is still open ({}), so there is nothing to reopen.",
            whose(after),
            before.as_str()
        );
    }
    format!(
        "🔁 Reopened {}. It is waiting for a reply again and reminders will follow.",
        whose(after)
    )
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
    use super::super::testing::conversation;
    use super::*;

    fn at(s: &str) -> Timestamp {
        format!("2026-11-24T{s}:00Z").parse().expect("time")
    }

    #[test]
    fn wording_follows_what_the_core_changed() {
        let c = conversation(42, "alice", at("09:00"));
        assert_eq!(
            resolved(State::Waiting, &c),
            "✅ Resolved **alice**'s conversation about orders (id `42`). Its reminders have stopped; if the customer writes again it reopens."
        );
        assert!(resolved(State::Resolved, &c).ends_with("was already resolved."));
        assert!(reopened(State::Resolved, &c).starts_with("🔁 Reopened **alice**"));
        assert!(reopened(State::Answered, &c).contains("still open (answered)"));
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
