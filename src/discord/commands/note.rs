//! `/note text [conversation]`: an internal note on a conversation, run in its place or its
//! DM's staff thread (or with `conversation:`). Staff only; the answer is ephemeral, so a
//! note run in a public channel stays among the team. It never reaches the customer and is
//! not a reply: the reminders go on.

use serenity::all as dc;

use super::request::{get, target, text_of, CommandError};
use super::slash::{conversation_option, find, staff, whose, Answer, Invocation, Slash};
use crate::core::{notes, Conversation, Note};
use crate::model::Place;

pub const COMMAND: Slash = Slash {
    name: "note",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff(
        "note",
        "Leave an internal note on a conversation: only the team sees it",
    )
    .add_option(
        Opt::new(
            T::String,
            "text",
            "The note: never sent to the customer, not a reply",
        )
        .required(true),
    )
    .add_option(conversation_option())
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let text = text_of(get(inv.args, "text"));
    if let Some(why) = notes::refused("note", &text) {
        return Err(CommandError::TextRefused(why));
    }
    let conv = find(inv.desk, target(inv.args, inv.caller.channel)?, "note")?;
    let note = Note {
        id: notes::new_id(inv.now),
        by: inv.caller.user,
        name: inv.caller.name.clone(),
        text,
    };
    let (after, deliver) = inv
        .desk
        .note(conv.id, note, inv.now)?
        .ok_or(CommandError::UnknownConversation(conv.id))?;
    Ok(Answer {
        buttons: Vec::new(),
        text: added(&after, inv.desk.policy().relay_dms),
        deliver,
    })
}

/// What the writer is told once the note is kept.
fn added(after: &Conversation, relayed: bool) -> String {
    let shown = if matches!(after.place, Place::Dm { .. }) && relayed {
        " and in its staff thread"
    } else {
        ""
    };
    format!(
        "📝 Note added to {}. Only the team sees it: on the web page{shown}. The customer never does, and it does not count as a reply.",
        whose(after)
    )
}
