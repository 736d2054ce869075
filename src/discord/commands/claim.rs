//! `/claim [conversation]`: the caller takes a conversation (the first claim wins; a second
//! claimer is told who has it), and what they are told. "I'll take it" on a notice answers
//! with the same words.

use serenity::all as dc;

use super::request::{target, CommandError};
use super::slash::{apply, conversation_option, find, staff, whose, Answer, Invocation, Slash};
use crate::core::{Command, Conversation};
use crate::markdown::literal;
use crate::model::UserId;

pub const COMMAND: Slash = Slash {
    name: "claim",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    staff(
        "claim",
        "Take a conversation: you answer it, its reminders come to you",
    )
    .add_option(conversation_option())
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let by = inv.caller.user;
    let conv = find(inv.desk, target(inv.args, inv.caller.channel)?, "claim")?;
    let cmd = Command::Claim {
        by,
        name: inv.caller.name.clone(),
    };
    let (after, deliver) = apply(inv.desk, &conv, cmd, inv.now)?;
    Ok(Answer {
        buttons: Vec::new(),
        text: claimed(by, &after),
        deliver,
    })
}

/// What `by` is told after claiming, given the conversation after it: theirs, or who has it.
pub fn claimed(by: UserId, after: &Conversation) -> String {
    match &after.assignee {
        Some(a) if a.user == by => format!(
            "✋ It's yours: {}. Its reminders come to you now.",
            whose(after)
        ),
        Some(a) => format!(
            "**{}** has it already: {}. If you agree between you, `/assign` moves it.",
            literal(&a.name),
            whose(after)
        ),
        None => format!("Nobody has {} yet; try again.", whose(after)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{at, conversation};
    use super::*;
    use crate::core::Assignee;

    #[test]
    fn the_claimer_hears_it_is_theirs_and_anyone_else_who_has_it() {
        let mut c = conversation(42, "alice", at("09:00"));
        c.assignee = Some(Assignee {
            user: UserId(7),
            name: "Ana_*".into(),
            at: at("09:05"),
        });
        assert!(claimed(UserId(7), &c).starts_with("✋ It's yours: **alice**'s conversation"));
        let other = claimed(UserId(8), &c);
        assert!(other.starts_with(r"**Ana\_\***"), "{other}");
        assert!(other.contains("has it already"), "{other}");
    }
}
