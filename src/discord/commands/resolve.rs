//! `/resolve [conversation]`: closes a conversation (its reminders stop; the customer writing
//! again reopens it), and what staff are told after it, given the conversation before and
//! after (the core decides what changed).

use serenity::all as dc;

use super::request::CommandError;
use super::slash::{act_on_one, conversation_option, staff, whose, Answer, Invocation, Slash};
use crate::core::{Command, Conversation, State};

pub const COMMAND: Slash = Slash {
    name: "resolve",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    staff(
        "resolve",
        "Close a conversation: run it in its thread, or give its id",
    )
    .add_option(conversation_option())
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let by = inv.caller.user;
    act_on_one(inv, "resolve", Command::Resolve { by }, resolved)
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

#[cfg(test)]
mod tests {
    use super::super::request::{target, Target};
    use super::super::testing::{args, at, conversation, text, HERE};
    use super::*;
    use crate::model::MessageId;

    #[test]
    fn reads_the_conversation_here_or_by_id_or_link() {
        assert_eq!(target(&args(&[]), HERE).expect("here"), Target::Here(HERE));
        assert_eq!(
            target(
                &args(&[(
                    "conversation",
                    text("https://discord.com/channels/1/2/987654321")
                )]),
                HERE
            )
            .expect("link"),
            Target::Id(MessageId(987_654_321))
        );
        let id = target(&args(&[("conversation", text("alice"))]), HERE)
            .expect_err("alice")
            .to_string();
        assert!(id.starts_with("`alice` is not a conversation id"), "{id}");
    }

    #[test]
    fn wording_follows_what_the_core_changed() {
        let c = conversation(42, "alice", at("09:00"));
        assert_eq!(
            resolved(State::Waiting, &c),
            "✅ Resolved **alice**'s conversation about orders (id `42`). Its reminders have stopped; if the customer writes again it reopens."
        );
        assert!(resolved(State::Resolved, &c).ends_with("was already resolved."));
    }
}
