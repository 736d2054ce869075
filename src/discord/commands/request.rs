//! A slash command's name and options, read into a [`Request`] — or into a [`CommandError`]
//! whose text tells the person what to type instead. Pure: no Discord, no database.

use jiff::SignedDuration;

use crate::core::ConversationId;
use crate::desk::DeskError;
use crate::duration::parse_duration;
use crate::model::{ChannelId, MessageId, UserId};

/// Longest `/away` note kept: it is quoted in every acknowledgement while away.
pub const AWAY_NOTE_CHARS: usize = 300;
/// `/stats` looks back at most this far.
pub const MAX_STATS_DAYS: i64 = 365;

/// One option value as Discord sent it.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Int(i64),
    Text(String),
    /// A user picked in a `user` option (`/block`), by id.
    User(u64),
    /// A type frontdesk never registers (bool, user, ...): refused with the option's name.
    Other,
}

/// Which conversation a staff command is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The conversation whose thread or forum post the command was run in.
    Here(ChannelId),
    Id(ConversationId),
}

/// `/away`'s two forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwayRequest {
    For {
        duration: SignedDuration,
        note: String,
    },
    Off,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Status,
    Queue {
        page: u32,
    },
    Resolve(Target),
    Reopen(Target),
    Snooze {
        duration: SignedDuration,
        target: Target,
    },
    Away(AwayRequest),
    Stats {
        days: u32,
    },
    Block {
        user: UserId,
        reason: String,
    },
    Unblock {
        user: UserId,
    },
    Blocked,
    /// A sign-in link for the web dashboard.
    Dashboard,
}

impl Request {
    /// The staff commands (everything but `/status`).
    pub fn is_staff_only(name: &str) -> bool {
        matches!(
            name,
            "queue"
                | "resolve"
                | "reopen"
                | "snooze"
                | "away"
                | "stats"
                | "block"
                | "unblock"
                | "blocked"
                | "dashboard"
        )
    }
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
    #[error("Sorry, something went wrong on our side. Please try again in a minute.")]
    Desk(#[from] DeskError),
}

/// Reads a command. `channel` is where it was run (for [`Target::Here`]).
pub fn parse(
    name: &str,
    args: &[(String, Arg)],
    channel: ChannelId,
) -> Result<Request, CommandError> {
    let get = |key: &str| args.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let target = || match get("conversation") {
        None => Ok(Target::Here(channel)),
        Some(v) => conversation_id(v).map(Target::Id),
    };
    match name {
        "status" => Ok(Request::Status),
        "dashboard" => Ok(Request::Dashboard),
        "queue" => Ok(Request::Queue {
            page: number(get("page"), 1, 1, i64::from(u32::MAX), ("queue", "page", 2))? as u32,
        }),
        "resolve" => Ok(Request::Resolve(target()?)),
        "reopen" => Ok(Request::Reopen(target()?)),
        "snooze" => {
            let text = text_of(get("duration"));
            let duration = parse_duration(&text).map_err(|_| CommandError::BadSnoozeDuration {
                shown: shown(&text),
            })?;
            Ok(Request::Snooze {
                duration,
                target: target()?,
            })
        }
        "away" => {
            let text = text_of(get("until"));
            if text.trim().eq_ignore_ascii_case("off") {
                return Ok(Request::Away(AwayRequest::Off));
            }
            let duration = parse_duration(&text).map_err(|_| CommandError::BadAwayUntil {
                shown: shown(&text),
            })?;
            let note: String = text_of(get("message"))
                .trim()
                .chars()
                .take(AWAY_NOTE_CHARS)
                .collect();
            Ok(Request::Away(AwayRequest::For { duration, note }))
        }
        "stats" => Ok(Request::Stats {
            days: number(get("days"), 30, 1, MAX_STATS_DAYS, ("stats", "days", 7))? as u32,
        }),
        "block" => Ok(Request::Block {
            user: user_of(get("user"), "block")?,
            reason: text_of(get("reason"))
                .trim()
                .chars()
                .take(BLOCK_REASON_CHARS)
                .collect(),
        }),
        "unblock" => Ok(Request::Unblock {
            user: user_of(get("user"), "unblock")?,
        }),
        "blocked" => Ok(Request::Blocked),
        other => Err(CommandError::UnknownCommand(other.to_string())),
    }
}

/// Longest `/block` reason kept: a note for the team, shown by `/blocked`.
pub const BLOCK_REASON_CHARS: usize = 200;

fn user_of(arg: Option<&Arg>, command: &'static str) -> Result<UserId, CommandError> {
    let id = match arg {
        Some(Arg::User(id)) => Some(*id),
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

fn text_of(arg: Option<&Arg>) -> String {
    match arg {
        Some(Arg::Text(t)) => t.clone(),
        Some(Arg::Int(n)) => n.to_string(),
        Some(Arg::User(id)) => id.to_string(),
        Some(Arg::Other) | None => String::new(),
    }
}

/// The person's text, quoted and shortened, for an error message.
fn shown(text: &str) -> String {
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

fn number(
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
        Some(Arg::Other | Arg::User(_)) => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: ChannelId = ChannelId(55);

    fn args(list: &[(&str, Arg)]) -> Vec<(String, Arg)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn text(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }

    #[test]
    fn reads_every_command_with_defaults() {
        let p = |name, a: &[(&str, Arg)]| parse(name, &args(a), HERE).expect(name);
        assert_eq!(p("status", &[]), Request::Status);
        assert_eq!(p("queue", &[]), Request::Queue { page: 1 });
        assert_eq!(
            p("queue", &[("page", Arg::Int(3))]),
            Request::Queue { page: 3 }
        );
        assert_eq!(p("resolve", &[]), Request::Resolve(Target::Here(HERE)));
        assert_eq!(
            p("reopen", &[("conversation", text(" 1234 "))]),
            Request::Reopen(Target::Id(MessageId(1234)))
        );
        assert_eq!(
            p(
                "resolve",
                &[(
                    "conversation",
                    text("https://discord.com/channels/1/2/987654321")
                )]
            ),
            Request::Resolve(Target::Id(MessageId(987_654_321)))
        );
        assert_eq!(
            p("snooze", &[("duration", text("2h"))]),
            Request::Snooze {
                duration: SignedDuration::from_hours(2),
                target: Target::Here(HERE)
            }
        );
        assert_eq!(
            p(
                "away",
                &[("until", text("3d")), ("message", text(" Back Monday "))]
            ),
            Request::Away(AwayRequest::For {
                duration: SignedDuration::from_hours(72),
                note: "Back Monday".into()
            })
        );
        assert_eq!(
            p("away", &[("until", text("OFF"))]),
            Request::Away(AwayRequest::Off)
        );
        assert_eq!(p("stats", &[]), Request::Stats { days: 30 });
        assert_eq!(
            p("stats", &[("days", Arg::Int(7))]),
            Request::Stats { days: 7 }
        );
    }

    #[test]
    fn bad_arguments_say_what_to_type() {
        let e = |name, a: &[(&str, Arg)]| parse(name, &args(a), HERE).expect_err(name).to_string();
        let snooze = e("snooze", &[("duration", text("soon"))]);
        assert!(snooze.starts_with("`soon` isn't a duration"), "{snooze}");
        assert!(snooze.contains("`/snooze duration:2h`"), "{snooze}");
        assert!(e("snooze", &[]).starts_with("An empty value"));
        let away = e("away", &[("until", text("next week"))]);
        assert!(
            away.contains("`/away until:3d`") && away.contains("off"),
            "{away}"
        );
        let id = e("resolve", &[("conversation", text("alice"))]);
        assert!(id.starts_with("`alice` is not a conversation id"), "{id}");
        let days = e("stats", &[("days", Arg::Int(0))]);
        assert_eq!(
            days,
            "`days` must be a whole number from 1 to 365, e.g. `/stats days:7`."
        );
        assert!(e("queue", &[("page", Arg::Int(-1))]).contains("`/queue page:2`"));
        assert!(e("frobnicate", &[]).contains("`/frobnicate`"));
    }

    #[test]
    fn a_long_away_note_is_shortened() {
        let long = "x".repeat(1000);
        let Ok(Request::Away(AwayRequest::For { note, .. })) = parse(
            "away",
            &args(&[("until", text("1d")), ("message", text(&long))]),
            HERE,
        ) else {
            panic!("parsed");
        };
        assert_eq!(note.chars().count(), AWAY_NOTE_CHARS);
    }

    #[test]
    fn only_status_is_for_everyone() {
        assert!(!Request::is_staff_only("status"));
        for name in [
            "queue",
            "resolve",
            "reopen",
            "snooze",
            "away",
            "stats",
            "dashboard",
        ] {
            assert!(Request::is_staff_only(name), "{name}");
        }
    }
}
