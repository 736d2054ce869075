//! `/reply saved [conversation]`: sends a saved reply (`responses/replies.toml`) to the
//! customer, signed with the caller's name, from the conversation's staff thread or place
//! (or with `conversation:`). The name is suggested as it is typed ([`suggestions`]); an
//! unknown one is answered with the list. It is a personal reply like one typed in Discord.

use serenity::all as dc;

use super::request::{get, target, text_of, CommandError};
use super::slash::{conversation_option, find, staff, whose, Answer, Invocation, Slash};
use crate::core::replies;
use crate::desk::Desk;
use crate::markdown::literal;

pub const COMMAND: Slash = Slash {
    name: "reply",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff(
        "reply",
        "Send a saved reply to the customer, signed with your name",
    )
    .add_option(
        Opt::new(
            T::String,
            "saved",
            "Which saved reply (responses/replies.toml)",
        )
        .required(true)
        .set_autocomplete(true),
    )
    .add_option(conversation_option())
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let name = text_of(get(inv.args, "saved"));
    let saved_replies = inv.desk.saved_replies();
    let Some(saved) = saved_replies.find(&name) else {
        return Err(CommandError::UnknownSavedReply {
            shown: super::request::shown(&name),
            names: list(inv.desk),
        });
    };
    let conv = find(inv.desk, target(inv.args, inv.caller.channel)?, "reply")?;
    if conv.blocked {
        return Ok(Answer::text(format!(
            "**{}** is blocked: nothing was sent.",
            literal(&conv.customer_name)
        )));
    }
    let policy = inv.desk.policy();
    let text = replies::saved_text(&conv, saved, &inv.caller.name, policy, inv.now);
    if let Some(why) = replies::refused(&conv, &inv.caller.name, &policy.business_name, &text) {
        return Err(CommandError::TextRefused(why));
    }
    let (after, deliver) = inv
        .desk
        .reply(conv.id, inv.caller.user, &inv.caller.name, &text, inv.now)?
        .ok_or(CommandError::UnknownConversation(conv.id))?;
    Ok(Answer {
        text: format!(
            "↩️ Sent to {}, signed with your name:\n>>> {text}",
            whose(&after)
        ),
        deliver,
        buttons: Vec::new(),
    })
}

/// The saved replies' names as `/reply` lists them.
fn list(desk: &Desk) -> String {
    let names = desk.saved_replies().names();
    if names.is_empty() {
        return "There are none yet: add them to `replies.toml` in your responses folder.".into();
    }
    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    format!("The saved replies are {}.", names.join(", "))
}

/// What `/reply saved:` suggests while `typed` is being typed.
pub fn suggestions(desk: &Desk, typed: &str) -> Vec<String> {
    desk.saved_replies()
        .suggest(typed)
        .into_iter()
        .map(str::to_string)
        .collect()
}
