//! What every command's file builds on: a [`Slash`] (its name, definition and run), the
//! [`Invocation`] it runs with, its [`Answer`], and the glue the staff commands share (their
//! definition's shape, finding the conversation they are about, applying the core's command
//! to it through the desk).

use jiff::Timestamp;
use serenity::all as dc;

use super::request::{target, Arg, CommandError, Target};
use crate::core::{Command, Conversation, State};
use crate::desk::{Desk, Pending};
use crate::markdown::literal;
use crate::model::{ChannelId, GuildId, UserId};

/// One slash command: what Discord is told about it, and what running it does.
pub struct Slash {
    pub name: &'static str,
    /// Anyone may run it. The others are the team's: refused before their options are read,
    /// so a customer learns nothing about conversation ids.
    pub everyone: bool,
    /// It reads many conversations: the handler defers its answer at once.
    pub slow: bool,
    /// What Discord registers; `None`: not registered.
    pub definition: Option<fn() -> dc::CreateCommand>,
    pub run: fn(&Invocation<'_>) -> Result<Answer, CommandError>,
    /// The picture that goes with its answer, if it has one.
    pub picture: Option<fn(&Invocation<'_>) -> Option<Chart>>,
}

/// One run of a command: who, with which options, when.
pub struct Invocation<'a> {
    pub desk: &'a Desk,
    pub caller: &'a Caller,
    pub args: &'a [(String, Arg)],
    pub now: Timestamp,
}

/// Who ran a command, and where.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: UserId,
    /// The name people see for them (what a customer is told when they take a conversation).
    pub name: String,
    /// An owner or a member with a staff role (checked here, not only by Discord's
    /// `default_member_permissions`, which a server admin can change).
    pub is_staff: bool,
    pub channel: ChannelId,
    /// The server whose staff roles count: the one it ran in, or for a DM the one the roles
    /// were asked of (the configured server). The dashboard checks the role there too.
    pub guild: Option<GuildId>,
}

/// What to tell the caller, and the outbox entries the command produced (a reopened
/// conversation notifies the owners), to deliver after answering.
#[derive(Debug)]
pub struct Answer {
    pub text: String,
    pub deliver: Vec<Pending>,
    /// Buttons under the answer (`/forget`'s confirmation), pressed by the caller alone.
    pub buttons: Vec<Vec<crate::discord::outbound::Button>>,
}

impl Answer {
    /// An answer that delivers nothing.
    pub fn text(text: String) -> Answer {
        Answer {
            buttons: Vec::new(),
            text,
            deliver: Vec::new(),
        }
    }
}

/// The first-reply chart as a PNG, for Discord.
#[derive(Clone, Debug)]
pub struct Chart {
    pub png: Vec<u8>,
    pub filename: &'static str,
    /// Alt text: what the chart shows, in words.
    pub description: String,
}

/// A staff command's definition: hidden from members without Manage Messages by default, and
/// offered in servers only.
pub fn staff(name: &str, description: &str) -> dc::CreateCommand {
    dc::CreateCommand::new(name)
        .description(description)
        .default_member_permissions(dc::Permissions::MANAGE_MESSAGES)
        .contexts(vec![dc::InteractionContext::Guild])
}

/// The `conversation` option of the commands that act on one.
pub fn conversation_option() -> dc::CreateCommandOption {
    dc::CreateCommandOption::new(
        dc::CommandOptionType::String,
        "conversation",
        "Conversation id (from /queue); leave empty inside its thread or forum post",
    )
    .max_length(120)
}

/// A conversation as staff answers name it: whose, about what, and its id.
pub fn whose(c: &Conversation) -> String {
    format!(
        "**{}**'s conversation about {} (id `{}`)",
        literal(&c.customer_name),
        c.topic,
        c.id
    )
}

/// The conversation a staff command is about.
pub fn find(
    desk: &Desk,
    target: Target,
    command: &'static str,
) -> Result<Conversation, CommandError> {
    match target {
        Target::Here(channel) => desk
            .conversation_in_thread(channel)?
            .ok_or(CommandError::NoConversationHere { command }),
        Target::Id(id) => desk
            .conversation(id)?
            .ok_or(CommandError::UnknownConversation(id)),
    }
}

pub fn apply(
    desk: &Desk,
    conv: &Conversation,
    cmd: Command,
    now: Timestamp,
) -> Result<(Conversation, Vec<Pending>), CommandError> {
    desk.command(conv.id, cmd, now)?
        .ok_or(CommandError::UnknownConversation(conv.id))
}

/// A command on one conversation with no options of its own (`/resolve`, `/reopen`): the
/// conversation here or named by `conversation:`, the core's change applied, and `words` for
/// what staff are told, given the state before and the conversation after.
pub fn act_on_one(
    inv: &Invocation<'_>,
    name: &'static str,
    cmd: Command,
    words: fn(State, &Conversation) -> String,
) -> Result<Answer, CommandError> {
    let target = target(inv.args, inv.caller.channel)?;
    let before = find(inv.desk, target, name)?;
    let (after, deliver) = apply(inv.desk, &before, cmd, inv.now)?;
    Ok(Answer {
        buttons: Vec::new(),
        text: words(before.state, &after),
        deliver,
    })
}

pub fn open_conversations(desk: &Desk) -> Vec<Conversation> {
    let mut all = desk.all_conversations();
    all.retain(Conversation::is_open);
    all
}
