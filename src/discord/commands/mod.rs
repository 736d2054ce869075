//! Slash commands, one file each: its definition (what Discord registers), its options and
//! its answer, as a `Slash` in [`COMMANDS`]. Adding a command is its file and a line in that
//! list. `slash` holds what the files build on, `request` what their options share; the
//! notice and rating buttons answer from `buttons`.
//!
//! The handler only converts serenity's interaction into a [`Caller`] and [`Arg`]s, calls
//! [`run`] on a blocking thread and sends the text back ephemerally. Reading the options
//! (`request` holds what the commands share) and every answer text are pure functions of
//! stored state, tested without Discord; a command's `run` is the thin glue that reads
//! conversations from the desk and applies staff commands through it, so the core decides
//! what they change.

mod assign;
mod away;
mod block;
mod blocked;
mod buttons;
mod claim;
mod dashboard;
mod followup;
pub mod forget;
#[cfg(test)]
mod markup_tests;
mod note;
mod queue;
mod reopen;
pub mod reply;
mod request;
mod resolve;
mod slash;
mod snooze;
mod stats;
mod status;
#[cfg(test)]
mod testing;
mod unblock;
mod unclaim;

use std::time::Duration;

use jiff::Timestamp;
use serenity::all as dc;

use crate::desk::Desk;
use crate::responses::template::{truncate_chars, DISCORD_MESSAGE_LIMIT};
pub use buttons::{button_answer, rating_answer};
pub use request::{Arg, CommandError, Picked};
pub use slash::{Answer, Caller, Chart};
use slash::{Invocation, Slash};

/// Every slash command, in the order Discord lists them.
const COMMANDS: [Slash; 18] = [
    status::COMMAND,
    queue::COMMAND,
    resolve::COMMAND,
    reopen::COMMAND,
    claim::COMMAND,
    unclaim::COMMAND,
    assign::COMMAND,
    followup::COMMAND,
    note::COMMAND,
    reply::COMMAND,
    snooze::COMMAND,
    away::COMMAND,
    stats::COMMAND,
    block::COMMAND,
    unblock::COMMAND,
    blocked::COMMAND,
    forget::COMMAND,
    dashboard::COMMAND,
];

fn command(name: &str) -> Option<&'static Slash> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// The commands frontdesk registers. Staff commands are hidden from members without Manage
/// Messages by default and offered in servers (`/dashboard` in a DM with the bot too); they are
/// checked again when they run.
pub fn definitions() -> Vec<dc::CreateCommand> {
    COMMANDS
        .iter()
        .filter_map(|c| c.definition)
        .map(|d| d())
        .collect()
}

/// The options of an interaction as plain values. A picked user comes with what Discord
/// resolved of them in the server (name, roles), so `/assign` can tell whether they are staff.
pub fn args_of(data: &dc::CommandData) -> Vec<(String, Arg)> {
    data.options
        .iter()
        .map(|o| {
            let value = match &o.value {
                dc::CommandDataOptionValue::Integer(n) => Arg::Int(*n),
                dc::CommandDataOptionValue::String(s) => Arg::Text(s.clone()),
                dc::CommandDataOptionValue::Boolean(b) => Arg::Bool(*b),
                dc::CommandDataOptionValue::User(u) => match data.resolved.members.get(u) {
                    Some(member) => Arg::Member(Picked {
                        id: u.get(),
                        name: crate::discord::places::display_name(
                            member.nick.as_deref(),
                            data.resolved.users.get(u).unwrap_or(&dc::User::default()),
                        ),
                        roles: member
                            .roles
                            .iter()
                            .map(|r| crate::model::RoleId(r.get()))
                            .collect(),
                        bot: data.resolved.users.get(u).is_some_and(|x| x.bot),
                    }),
                    None => Arg::User(u.get()),
                },
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
    match command(name) {
        Some(c) if c.slow && (c.everyone || caller.is_staff) => Duration::ZERO,
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
            buttons: Vec::new(),
            text: e.to_string(),
            deliver: Vec::new(),
        }
    });
    Answer {
        buttons: answer.buttons,
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
    let Some(command) = command(name) else {
        return Err(CommandError::UnknownCommand(name.to_string()));
    };
    // Refuse before reading the options: a customer learns nothing about conversation ids.
    if !command.everyone && !caller.is_staff {
        return Err(CommandError::NotStaff {
            command: name.to_string(),
        });
    }
    (command.run)(&Invocation {
        desk,
        caller,
        args,
        now,
    })
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
    let picture = command(name)?.picture?;
    picture(&Invocation {
        desk,
        caller,
        args,
        now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commands as Discord registers them: a change here is one every server sees.
    #[test]
    fn the_registered_commands_are_the_recorded_ones() {
        let json = serde_json::to_string_pretty(&definitions()).expect("json");
        assert_eq!(json, include_str!("registered.json").trim_end());
    }

    #[test]
    fn only_status_is_for_everyone() {
        assert!(command("status").is_some_and(|c| c.everyone));
        for name in [
            "queue",
            "resolve",
            "reopen",
            "claim",
            "unclaim",
            "assign",
            "followup",
            "note",
            "reply",
            "forget",
            "snooze",
            "away",
            "stats",
            "dashboard",
        ] {
            assert!(command(name).is_some_and(|c| !c.everyone), "{name}");
        }
        let everyone: Vec<&str> = COMMANDS
            .iter()
            .filter(|c| c.everyone)
            .map(|c| c.name)
            .collect();
        assert_eq!(everyone, ["status"]);
    }

    #[test]
    fn an_unknown_command_says_its_name() {
        assert!(command("frobnicate").is_none());
        let e = CommandError::UnknownCommand("frobnicate".into()).to_string();
        assert!(e.contains("`/frobnicate`"), "{e}");
    }

    #[test]
    fn every_command_is_named_as_registered() {
        for c in &COMMANDS {
            if let Some(definition) = c.definition {
                let json = serde_json::to_value(definition()).expect("json");
                assert_eq!(json["name"], c.name);
            }
        }
    }
}
