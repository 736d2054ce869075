//! `/unclaim [conversation]`: nobody has the conversation any more (its reminders go to every
//! owner again), and what staff are told.

use serenity::all as dc;

use super::request::{target, CommandError};
use super::slash::{apply, conversation_option, find, staff, whose, Answer, Invocation, Slash};
use crate::core::{Assignee, Command, Conversation};
use crate::markdown::literal;

pub const COMMAND: Slash = Slash {
    name: "unclaim",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    staff(
        "unclaim",
        "Let a conversation go: its reminders go to every owner again",
    )
    .add_option(conversation_option())
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let by = inv.caller.user;
    let conv = find(inv.desk, target(inv.args, inv.caller.channel)?, "unclaim")?;
    let (after, deliver) = apply(inv.desk, &conv, Command::Unclaim { by }, inv.now)?;
    Ok(Answer {
        buttons: Vec::new(),
        text: unclaimed(conv.assignee.as_ref(), &after),
        deliver,
    })
}

/// What staff are told, given who had it before and the conversation after.
pub fn unclaimed(before: Option<&Assignee>, after: &Conversation) -> String {
    match before {
        Some(a) => format!(
            "👐 **{}** no longer has {}. Its reminders go to every owner again.",
            literal(&a.name),
            whose(after)
        ),
        None => format!("Nobody had {}; nothing to change.", whose(after)),
    }
}
