//! What every command's options share: option values as Discord sent them ([`Arg`]), the
//! readers each command's file uses, and [`CommandError`], whose text tells the person what
//! to type instead. Pure: no Discord, no database.

use crate::core::ConversationId;
use crate::desk::DeskError;
use crate::model::{ChannelId, MessageId, RoleId, UserId};

/// One option value as Discord sent it.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Int(i64),
    Text(String),
    /// A user picked in a `user` option (`/block`), by id.
    User(u64),
    /// A user picked in a `user` option in a server, with their membership as Discord
    /// resolved it.
    Member(Picked),
    Bool(bool),
    /// A type frontdesk never registers (number, channel, ...): refused with the option's name.
    Other,
}

/// A server member picked in a `user` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picked {
    pub id: u64,
    /// The name people see for them.
    pub name: String,
    pub roles: Vec<RoleId>,
    pub bot: bool,
}

/// Which conversation a staff command is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The conversation whose thread or forum post the command was run in.
    Here(ChannelId),
    Id(ConversationId),
}

/// Why a command could not run. The text is shown to the person, ephemerally: it says what
/// went wrong and what to type instead.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("Sorry, `/{command}` is only for the team. If you need help, just write in the support channel or DM me — and `/status` shows where your messages stand.")]
    NotStaff { command: String },
    #[error("I don't know the command `/{0}`. Maybe it was removed; try again in a minute.")]
    UnknownCommand(String),
    #[error("{shown} isn't a duration I understand. Write a number and a unit, e.g. `/snooze duration:2h` (also 30m, 1d, 1h30m).")]
    BadSnoozeDuration { shown: String },
    #[error("{shown} isn't a duration I understand. Write how long you'll be away, e.g. `/away until:3d` (also 12h, 1w), or `/away until:off` when you're back.")]
    BadAwayUntil { shown: String },
    #[error("{shown} is not a conversation id: ids are long numbers such as `1234567890123456789`. `/queue` shows the id of each waiting conversation.")]
    BadConversationId { shown: String },
    #[error(
        "No conversation has the id `{0}`. `/queue` shows the id of each waiting conversation."
    )]
    UnknownConversation(ConversationId),
    #[error("This channel isn't a conversation's thread or forum post, so I can't tell which one you mean. Run `/{command}` inside it, or give its id: `/{command} conversation:<id>` (`/queue` shows the ids).")]
    NoConversationHere { command: &'static str },
    #[error("`{option}` must be a whole number from {min} to {max}, e.g. `/{command} {option}:{example}`.")]
    BadNumber {
        command: &'static str,
        option: &'static str,
        min: i64,
        max: i64,
        example: i64,
    },
    #[error("Pick the person with the `user` option, e.g. `/{command} user:@someone`.")]
    NeedUser { command: &'static str },
    #[error("<@{user}> isn't on the team, so I can't give them a conversation: only the owners, the backup people and members with a staff role answer customers. Pick someone on the team, or give them a staff role first (`staff_roles` in the config).")]
    NotOnStaff { user: UserId },
    #[error("{shown} {why}. Say when to remind you, e.g. {examples}.")]
    BadFollowUpWhen {
        shown: String,
        why: String,
        examples: String,
    },
    #[error("There is no saved reply named {shown}. {names}")]
    UnknownSavedReply { shown: String, names: String },
    /// A note or reply that cannot be sent as written (empty, or over Discord's limit).
    #[error("{0}")]
    TextRefused(String),
    #[error("Sorry, something went wrong on our side. Please try again in a minute.")]
    Desk(#[from] DeskError),
}

/// The value of option `key`, if the person gave it.
pub fn get<'a>(args: &'a [(String, Arg)], key: &str) -> Option<&'a Arg> {
    args.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The `conversation` option of a staff command: its id, or the thread or forum post the
/// command was run in (`channel`).
pub fn target(args: &[(String, Arg)], channel: ChannelId) -> Result<Target, CommandError> {
    match get(args, "conversation") {
        None => Ok(Target::Here(channel)),
        Some(v) => conversation_id(v).map(Target::Id),
    }
}

pub fn user_of(arg: Option<&Arg>, command: &'static str) -> Result<UserId, CommandError> {
    let id = match arg {
        Some(Arg::User(id)) => Some(*id),
        Some(Arg::Member(m)) => Some(m.id),
        // A mention or an id typed as text (a client that sends the option that way).
        Some(Arg::Text(t)) => t
            .trim()
            .trim_start_matches("<@")
            .trim_start_matches('!')
            .trim_end_matches('>')
            .parse()
            .ok(),
        _ => None,
    };
    id.filter(|n| *n > 0)
        .map(UserId)
        .ok_or(CommandError::NeedUser { command })
}

pub fn text_of(arg: Option<&Arg>) -> String {
    match arg {
        Some(Arg::Text(t)) => t.clone(),
        Some(Arg::Int(n)) => n.to_string(),
        Some(Arg::User(id)) => id.to_string(),
        Some(Arg::Member(m)) => m.id.to_string(),
        Some(Arg::Bool(b)) => b.to_string(),
        Some(Arg::Other) | None => String::new(),
    }
}

/// The person's text, quoted and shortened, for an error message.
pub fn shown(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        return "An empty value".to_string();
    }
    let short: String = t.chars().take(40).collect();
    // Backticks inside would break the code span.
    format!("`{}`", short.replace('`', "'"))
}

/// An id as typed, or pasted as a message link (`…/channels/guild/channel/message`).
fn conversation_id(arg: &Arg) -> Result<ConversationId, CommandError> {
    let text = match arg {
        Arg::Int(n) => n.to_string(),
        other => text_of(Some(other)),
    };
    let last = text.trim().trim_end_matches('/').rsplit('/').next();
    last.and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|n| *n > 0)
        .map(MessageId)
        .ok_or_else(|| CommandError::BadConversationId {
            shown: shown(&text),
        })
}

pub fn number(
    arg: Option<&Arg>,
    default: i64,
    min: i64,
    max: i64,
    (command, option, example): (&'static str, &'static str, i64),
) -> Result<i64, CommandError> {
    let n = match arg {
        None => return Ok(default),
        Some(Arg::Int(n)) => Some(*n),
        Some(Arg::Text(t)) => t.trim().parse().ok(),
        Some(Arg::Other | Arg::User(_) | Arg::Member(_) | Arg::Bool(_)) => None,
    };
    n.filter(|n| (min..=max).contains(n))
        .ok_or(CommandError::BadNumber {
            command,
            option,
            min,
            max,
            example,
        })
}
