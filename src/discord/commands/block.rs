//! `/block user [reason]`: someone's messages are stored but get no answer, notice or
//! reminder (their open conversations are resolved quietly), and what staff are told.

use serenity::all as dc;

use super::request::{get, text_of, user_of, Arg, CommandError};
use super::slash::{staff, Answer, Invocation, Slash};
use crate::desk::Blocked;
use crate::model::UserId;

/// Longest `/block` reason kept: a note for the team, shown by `/blocked`.
pub const BLOCK_REASON_CHARS: usize = 200;

pub const COMMAND: Slash = Slash {
    name: "block",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff(
        "block",
        "Block someone: their messages are stored but get no answer",
    )
    .add_option(Opt::new(T::User, "user", "Who to block").required(true))
    .add_option(
        Opt::new(
            T::String,
            "reason",
            "A note for the team (shown by /blocked)",
        )
        .max_length(BLOCK_REASON_CHARS as u16),
    )
}

/// Whom, and why.
fn options(args: &[(String, Arg)]) -> Result<(UserId, String), CommandError> {
    let user = user_of(get(args, "user"), "block")?;
    let reason = text_of(get(args, "reason"))
        .trim()
        .chars()
        .take(BLOCK_REASON_CHARS)
        .collect();
    Ok((user, reason))
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let (user, reason) = options(inv.args)?;
    let done = inv.desk.block(user, inv.caller.user, &reason, inv.now)?;
    Ok(Answer::text(blocked(user, &done)))
}

pub fn blocked(user: UserId, done: &Blocked) -> String {
    let head = if done.already {
        format!("<@{user}> was already blocked; the reason is updated.")
    } else {
        format!("🚫 Blocked <@{user}>.")
    };
    let resolved = match done.resolved {
        0 => String::new(),
        1 => " Their open conversation was resolved quietly.".to_string(),
        n => format!(" Their {n} open conversations were resolved quietly."),
    };
    format!("{head}{resolved} Their messages are still stored (for your records) but get no answer, notice or reminder. `/unblock` undoes it.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_how_many_conversations_were_resolved_quietly() {
        let done = Blocked {
            already: false,
            resolved: 2,
        };
        assert!(blocked(UserId(42), &done).contains("2 open conversations were resolved quietly"));
    }
}
