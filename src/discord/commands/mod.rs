//! Slash commands: their definitions (registered at start) and their answers.
//!
//! The handler only converts serenity's interaction into a [`Caller`] and [`Arg`]s, calls
//! [`run`] on a blocking thread and sends the text back ephemerally. Reading the options
//! (`request`) and every answer text (`status`, `queue`, `stats`, `actions`) are pure
//! functions of stored state, tested without Discord; [`run`] is the thin glue that reads
//! conversations from the desk and applies staff commands through it, so the core decides
//! what they change.

mod actions;
mod blocking;
#[cfg(test)]
mod markup_tests;
mod queue;
mod ratings;
mod request;
mod stats;
mod status;
#[cfg(test)]
mod testing;

use std::time::Duration;

use jiff::Timestamp;
use serenity::all as dc;

use crate::core::{Away, Command, Conversation};
use crate::desk::{Desk, Pending};
use crate::model::{ChannelId, GuildId, UserId};
use crate::responses::template::{truncate_chars, DISCORD_MESSAGE_LIMIT};
pub use actions::button_answer;
pub use ratings::rating_answer;
pub use request::{Arg, AwayRequest, CommandError, Request, Target};
pub use stats::Chart;

/// Who ran a command, and where.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub user: UserId,
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
}

/// The commands frontdesk registers. Staff commands are hidden from members without Manage
/// Messages by default and only offered in servers; they are checked again when they run.
pub fn definitions() -> Vec<dc::CreateCommand> {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    let conversation = || {
        Opt::new(
            T::String,
            "conversation",
            "Conversation id (from /queue); leave empty inside its thread or forum post",
        )
        .max_length(120)
    };
    let staff = |name: &str, description: &str| {
        dc::CreateCommand::new(name)
            .description(description)
            .default_member_permissions(dc::Permissions::MANAGE_MESSAGES)
            .contexts(vec![dc::InteractionContext::Guild])
    };
    vec![
        dc::CreateCommand::new("status")
            .description("Where your messages to us stand (staff: the queue at a glance)"),
        staff(
            "queue",
            "Customers waiting for a personal reply, oldest first",
        )
        .add_option(
            Opt::new(T::Integer, "page", "Which page of the list (10 per page)").min_int_value(1),
        ),
        staff(
            "resolve",
            "Close a conversation: run it in its thread, or give its id",
        )
        .add_option(conversation()),
        staff(
            "reopen",
            "Reopen a resolved conversation: it waits for a reply again",
        )
        .add_option(conversation()),
        staff("snooze", "Pause the reminders for a conversation")
            .add_option(
                Opt::new(T::String, "duration", "How long, e.g. 30m, 2h or 1d")
                    .required(true)
                    .max_length(40),
            )
            .add_option(conversation()),
        staff(
            "away",
            "Away mode: acknowledgements tell customers when you're back",
        )
        .add_option(
            Opt::new(
                T::String,
                "until",
                "How long you're away, e.g. 3d or 12h — or \"off\" when you're back",
            )
            .required(true)
            .max_length(40),
        )
        .add_option(
            Opt::new(
                T::String,
                "message",
                "A short note added to the away message",
            )
            .max_length(request::AWAY_NOTE_CHARS as u16),
        ),
        staff(
            "stats",
            "Reply times: median, p90, share within the target, per topic",
        )
        .add_option(
            Opt::new(T::Integer, "days", "How many days back (default 30)")
                .min_int_value(1)
                .max_int_value(request::MAX_STATS_DAYS as u64),
        ),
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
            .max_length(request::BLOCK_REASON_CHARS as u16),
        ),
        staff("unblock", "Unblock someone")
            .add_option(Opt::new(T::User, "user", "Who to unblock").required(true)),
        staff("blocked", "Who is blocked, by whom and why"),
    ]
}

/// The options of an interaction as plain values.
pub fn args_of(options: &[dc::CommandDataOption]) -> Vec<(String, Arg)> {
    options
        .iter()
        .map(|o| {
            let value = match &o.value {
                dc::CommandDataOptionValue::Integer(n) => Arg::Int(*n),
                dc::CommandDataOptionValue::String(s) => Arg::Text(s.clone()),
                dc::CommandDataOptionValue::User(u) => Arg::User(u.get()),
                _ => Arg::Other,
            };
            (o.name.clone(), value)
        })
        .collect()
}

/// How long the handler waits for an answer before deferring. Discord drops an interaction
/// not answered within 3 s, so commands that scan history (`/queue`, `/stats`) defer at once;
/// the others (and every refusal) are one lookup and at most one flushed write, answered
/// directly unless the disk is slow.
pub fn answer_budget(caller: &Caller, name: &str) -> Duration {
    let refused = Request::is_staff_only(name) && !caller.is_staff;
    match name {
        "queue" | "stats" if !refused => Duration::ZERO,
        _ => Duration::from_millis(1500),
    }
}

/// Runs a command for `caller`. Never fails: problems become a polite answer.
pub fn run(
    desk: &Desk,
    caller: &Caller,
    name: &str,
    args: &[(String, Arg)],
    now: Timestamp,
) -> Answer {
    let answer = execute(desk, caller, name, args, now).unwrap_or_else(|e| {
        if let CommandError::Desk(inner) = &e {
            tracing::error!(error = %inner, command = name, "command failed");
        }
        Answer {
            text: e.to_string(),
            deliver: Vec::new(),
        }
    });
    Answer {
        text: truncate_chars(answer.text, DISCORD_MESSAGE_LIMIT),
        deliver: answer.deliver,
    }
}

fn execute(
    desk: &Desk,
    caller: &Caller,
    name: &str,
    args: &[(String, Arg)],
    now: Timestamp,
) -> Result<Answer, CommandError> {
    // Refuse before reading the options: a customer learns nothing about conversation ids.
    if Request::is_staff_only(name) && !caller.is_staff {
        return Err(CommandError::NotStaff {
            command: name.to_string(),
        });
    }
    let policy = desk.policy();
    let text = |text: String| Answer {
        text,
        deliver: Vec::new(),
    };
    match request::parse(name, args, caller.channel)? {
        Request::Status if caller.is_staff => Ok(text(status::staff_status(
            &open_conversations(desk),
            &policy.hours,
            desk.reply_target(),
            now,
        ))),
        Request::Status => {
            // Only the caller's own conversations are ever read for a customer.
            let mine = desk.customer_conversations(caller.user)?;
            let eta = desk.eta(now)?;
            Ok(text(status::customer_status(
                &mine,
                &policy.owner_name,
                &eta,
                now,
            )))
        }
        Request::Queue { page } => Ok(text(queue::queue_page(
            &open_conversations(desk),
            page,
            now,
        ))),
        Request::Resolve(target) => {
            let before = find(desk, target, "resolve")?;
            let (after, deliver) = apply(desk, &before, Command::Resolve { by: caller.user }, now)?;
            Ok(Answer {
                text: actions::resolved(before.state, &after),
                deliver,
            })
        }
        Request::Reopen(target) => {
            let before = find(desk, target, "reopen")?;
            let (after, deliver) = apply(desk, &before, Command::Reopen { by: caller.user }, now)?;
            Ok(Answer {
                text: actions::reopened(before.state, &after),
                deliver,
            })
        }
        Request::Snooze { duration, target } => {
            let before = find(desk, target, "snooze")?;
            let until = now.saturating_add(duration).unwrap_or(now);
            let by = caller.user;
            let (after, deliver) = apply(desk, &before, Command::Snooze { by, until }, now)?;
            let when = policy.hours.describe_moment(now, until);
            Ok(Answer {
                text: actions::snoozed(before.state, &after, duration, &when),
                deliver,
            })
        }
        Request::Away(AwayRequest::Off) => {
            let was_on = desk.away().is_some();
            desk.set_away(None)?;
            Ok(text(actions::away_off(was_on)))
        }
        Request::Away(AwayRequest::For { duration, note }) => {
            let until = now.saturating_add(duration).unwrap_or(now);
            desk.set_away(Some(&Away {
                until: Some(until),
                note: note.clone(),
            }))?;
            let when = policy.hours.describe_moment(now, until);
            Ok(text(actions::away_on(
                &policy.owner_name,
                until,
                now,
                &when,
                &note,
            )))
        }
        Request::Stats { days } => {
            let summary = desk.stats_summary(days, now);
            let mut answer = stats::stats_text(&summary, days);
            let rated = ratings::ratings_section(&summary);
            if !rated.is_empty() {
                answer = format!("{answer}\n{rated}");
            }
            Ok(text(answer))
        }
        Request::Block { user, reason } => {
            let done = desk.block(user, caller.user, &reason, now)?;
            Ok(text(blocking::blocked(user, &done)))
        }
        Request::Unblock { user } => Ok(text(blocking::unblocked(user, desk.unblock(user)?))),
        Request::Blocked => Ok(text(blocking::list(&desk.blocked_users(), now))),
        // The link is a credential: it goes only into this ephemeral answer, never a log.
        Request::Dashboard => Ok(text(match desk.login_link(caller.user, caller.guild, now) {
            Some(link) => format!(
                "Your sign-in link for the dashboard (works once, for the next 10 minutes; do not share it):\n<{link}>"
            ),
            None if desk.dashboard_on() => "Sorry, no sign-in link could be made just now: the bot's log says why (often the `dashboard.key` file in the data directory). Try again, or ask whoever runs the bot.".to_string(),
            None => "The web dashboard is off. Turn it on with a `[dashboard]` section in the config (see frontdesk.example.toml).".to_string(),
        })),
    }
}

/// The picture that goes with a command's answer: `/stats` attaches its first-reply chart.
pub fn attachment(
    desk: &Desk,
    caller: &Caller,
    name: &str,
    args: &[(String, Arg)],
    now: Timestamp,
) -> Option<Chart> {
    if !caller.is_staff {
        return None;
    }
    match request::parse(name, args, caller.channel) {
        Ok(Request::Stats { days }) => stats::chart(&desk.stats_summary(days, now)),
        _ => None,
    }
}

/// The conversation a staff command is about.
fn find(desk: &Desk, target: Target, command: &'static str) -> Result<Conversation, CommandError> {
    match target {
        Target::Here(channel) => desk
            .conversation_in_thread(channel)?
            .ok_or(CommandError::NoConversationHere { command }),
        Target::Id(id) => desk
            .conversation(id)?
            .ok_or(CommandError::UnknownConversation(id)),
    }
}

fn apply(
    desk: &Desk,
    conv: &Conversation,
    cmd: Command,
    now: Timestamp,
) -> Result<(Conversation, Vec<Pending>), CommandError> {
    desk.command(conv.id, cmd, now)?
        .ok_or(CommandError::UnknownConversation(conv.id))
}

fn open_conversations(desk: &Desk) -> Vec<Conversation> {
    let mut all = desk.all_conversations();
    all.retain(Conversation::is_open);
    all
}
