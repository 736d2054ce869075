//! `/reopen [conversation]`: a resolved conversation waits for a reply again (the owners are
//! told, reminders follow), and what staff are told after it.

use serenity::all as dc;

use super::request::{target, CommandError};
use super::slash::{apply, conversation_option, find, staff, whose, Answer, Invocation, Slash};
use crate::core::{Command, Conversation, State};

pub const COMMAND: Slash = Slash {
    name: "reopen",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    staff(
        "reopen",
        "Reopen a resolved conversation: it waits for a reply again",
    )
    .add_option(conversation_option())
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let target = target(inv.args, inv.caller.channel)?;
    let before = find(inv.desk, target, "reopen")?;
    let by = inv.caller.user;
    let (after, deliver) = apply(inv.desk, &before, Command::Reopen { by }, inv.now)?;
    Ok(Answer {
        text: reopened(before.state, &after),
        deliver,
    })
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

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::super::request::Target;
    use super::super::testing::{args, conversation, text, HERE};
    use super::*;
    use crate::model::MessageId;

    fn at(s: &str) -> Timestamp {
        format!("2026-11-24T{s}:00Z").parse().expect("time")
    }

    #[test]
    fn reads_a_conversation_id_as_typed() {
        assert_eq!(
            target(&args(&[("conversation", text(" 1234 "))]), HERE).expect("id"),
            Target::Id(MessageId(1234))
        );
    }

    #[test]
    fn wording_follows_what_the_core_changed() {
        let c = conversation(42, "alice", at("09:00"));
        assert!(reopened(State::Resolved, &c).starts_with("🔁 Reopened **alice**"));
        assert!(reopened(State::Answered, &c).contains("still open (answered)"));
    }
}
