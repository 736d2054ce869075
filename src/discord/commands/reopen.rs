//! `/reopen [conversation]`: a resolved conversation waits for a reply again (the owners are
//! told, reminders follow), and what staff are told after it.

use serenity::all as dc;

use super::request::CommandError;
use super::slash::{act_on_one, conversation_option, staff, whose, Answer, Invocation, Slash};
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
    let by = inv.caller.user;
    act_on_one(inv, "reopen", Command::Reopen { by }, reopened)
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
    use super::super::request::{target, Target};
    use super::super::testing::{args, at, conversation, text, HERE};
    use super::*;
    use crate::model::MessageId;

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
