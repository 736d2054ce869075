//! The installer's TOML file, lowered once into a validated [`Config`].
//!
//! Every value error names the file, the line and the fix. The token never lives here: it
//! comes from `DISCORD_TOKEN` or a token file, and is held as a [`Secret`].

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::SignedDuration;
use serde::Deserialize;
use toml::Spanned;

use crate::core::{Escalation, PromisePolicy, RatingForm, RatingPolicy, ReminderSchedule, Staff};
use crate::duration::parse_duration;
use crate::hours::BusinessHours;
use crate::model::{ChannelId, GuildId, RoleId, UserId};
use crate::responses::line_of;

mod secrets;
mod token;

pub use token::{credential_file, load_token, token_for, Secret, TokenError, CREDENTIAL_NAME};

/// A problem with the config file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read config {path}: {reason}\n  fix: {fix}")]
    Unreadable {
        path: PathBuf,
        reason: String,
        fix: String,
    },
    #[error("{path}:{line}: {problem}\n  fix: {fix}")]
    Invalid {
        path: PathBuf,
        line: usize,
        problem: String,
        fix: String,
    },
}

/// Where frontdesk listens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Watch {
    pub channels: Vec<ChannelId>,
    pub forums: Vec<ChannelId>,
    pub dms: bool,
    /// Open a Discord thread on each new conversation in a watched text channel.
    pub threads: bool,
}

/// How often the database is flushed unless the config says otherwise.
pub const DEFAULT_FLUSH_EVERY: SignedDuration = SignedDuration::from_millis(200);

#[derive(Clone, Debug)]
pub struct Config {
    /// The file it came from, for messages; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    pub business_name: String,
    pub owner_name: String,
    pub responses: PathBuf,
    pub data_dir: PathBuf,
    /// How often sled makes recent writes durable. A crash loses at most this much, which
    /// catch-up rebuilds from Discord's history (see ARCHITECTURE.md).
    pub flush_every: SignedDuration,
    pub discord: DiscordSettings,
    pub staff: Staff,
    pub watch: Watch,
    pub hours: BusinessHours,
    pub reminders: ReminderSchedule,
    /// Answered conversations with no activity for this long are resolved.
    pub auto_resolve_after: Option<SignedDuration>,
    /// Posted in a conversation that is resolved for inactivity.
    pub closing_text: String,
    /// The owners' quiet hours (business time zone): reminders wait until they end.
    pub quiet_hours: Option<crate::hours::QuietHours>,
    /// How soon a first personal reply should come; `/stats` and `/status` measure against it.
    pub reply_target: SignedDuration,
    /// "How did we do?" after a resolved conversation with a staff reply.
    pub ratings: RatingPolicy,
    /// Backup people reminded too once a customer has waited long; `None` when nobody is set.
    pub escalation: Option<Escalation>,
    /// Send each owner a digest of last week by DM at the week's first opening.
    pub weekly_digest: bool,
    /// `[promises]`: follow up a staff reply that promises a later answer.
    pub promises: PromisePolicy,
    /// `[claim] tell_customer`: tell the customer who took their conversation.
    pub claim_tell_customer: bool,
    /// The web dashboard; `None` (the default) serves nothing.
    pub dashboard: Option<DashboardSettings>,
}

/// `[dashboard]`: where the web page listens and the address its login links use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardSettings {
    pub listen: std::net::SocketAddr,
    /// The address people open (a reverse proxy's `https://…`), without a trailing slash;
    /// `None`: `http://{listen}`.
    pub public_url: Option<String>,
}

impl DashboardSettings {
    /// Where login links point.
    pub fn base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None => format!("http://{}", self.listen),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscordSettings {
    /// Base URL of a Discord-compatible API; `None` means discord.com with serenity's own
    /// rate limiter.
    pub api: Option<String>,
    pub token_file: Option<PathBuf>,
    pub guild: Option<GuildId>,
    pub staff_channel: Option<ChannelId>,
    /// Ask for the privileged message-content intent (enable it in the Developer Portal first).
    pub message_content: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    business_name: Option<String>,
    owner_name: Option<String>,
    responses: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    flush_every_ms: Option<Spanned<i64>>,
    #[serde(default)]
    discord: RawDiscord,
    #[serde(default)]
    watch: RawWatch,
    hours: Option<RawHours>,
    #[serde(default)]
    reminders: RawReminders,
    #[serde(default)]
    conversations: RawConversations,
    #[serde(default)]
    ratings: RawRatings,
    #[serde(default)]
    digest: RawDigest,
    #[serde(default)]
    promises: RawPromises,
    #[serde(default)]
    claim: RawClaim,
    dashboard: Option<RawDashboard>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    tell_customer: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDashboard {
    listen: Option<Spanned<String>>,
    public_url: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRatings {
    ask: Option<bool>,
    form: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDiscord {
    api: Option<Spanned<String>>,
    token_file: Option<PathBuf>,
    token: Option<Spanned<toml::Value>>,
    guild: Option<Spanned<String>>,
    #[serde(default)]
    owners: Vec<Spanned<String>>,
    #[serde(default)]
    staff_roles: Vec<Spanned<String>>,
    staff_channel: Option<Spanned<String>>,
    message_content: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWatch {
    #[serde(default)]
    channels: Vec<Spanned<String>>,
    #[serde(default)]
    forums: Vec<Spanned<String>>,
    dms: Option<bool>,
    threads: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    time_zone: Spanned<String>,
    monday: Option<Spanned<String>>,
    tuesday: Option<Spanned<String>>,
    wednesday: Option<Spanned<String>>,
    thursday: Option<Spanned<String>>,
    friday: Option<Spanned<String>>,
    saturday: Option<Spanned<String>>,
    sunday: Option<Spanned<String>>,
    #[serde(default)]
    holidays: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawReminders {
    after: Option<Vec<Spanned<String>>>,
    then_every: Option<Spanned<String>>,
    quiet_hours: Option<Spanned<String>>,
    #[serde(default)]
    escalate_to: Vec<Spanned<String>>,
    escalate_after: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDigest {
    weekly: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPromises {
    enabled: Option<bool>,
    remind_after: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConversations {
    auto_resolve_after: Option<Spanned<String>>,
    closing_message: Option<String>,
    reply_target: Option<Spanned<String>>,
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
            fix: "run `frontdesk setup` to write one (or copy frontdesk.example.toml and edit it), or pass --config PATH"
                .into(),
        })?;
        Config::parse(&text, path)
    }

    /// The settings used when no config file exists: always open, no watched places. Enough for
    /// `check --try` on a fresh clone.
    pub fn defaults() -> Config {
        Config::lower(RawConfig::default(), "", Path::new("(defaults)")).unwrap_or_else(|_| {
            unreachable!("the defaults contain no value that can fail validation")
        })
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        if let Some(e) = secrets::token_in(text, path) {
            return Err(e);
        }
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, e.span().map_or(0, |s| s.start)),
            problem: secrets::redact(e.message().trim()).into_owned(),
            fix: "compare with frontdesk.example.toml, which lists every key with a comment".into(),
        })?;
        let mut config = Config::lower(raw, text, path)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    fn lower(raw: RawConfig, text: &str, path: &Path) -> Result<Config, ConfigError> {
        // Every message built from a value passes `redact`: a secret pasted anywhere stays unseen.
        let invalid = |span: Range<usize>, problem: String, fix: &str| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, span.start),
            problem: secrets::redact(&problem).into_owned(),
            fix: fix.to_string(),
        };
        let id = |s: &Spanned<String>, what: &str| -> Result<u64, ConfigError> {
            s.get_ref().trim().parse::<u64>().map_err(|_| {
                if secrets::looks_secret(s.get_ref()) {
                    return invalid(
                        s.span(),
                        format!("{what} holds a long code that is not a Discord id and looks like a secret (not shown here)"),
                        &format!("{}; {what} takes a Discord id (Developer Mode on, right-click → Copy ID)", secrets::TOKEN_FIX),
                    );
                }
                invalid(
                    s.span(),
                    format!("{what} {:?} is not a Discord id", s.get_ref()),
                    "in Discord, turn on Settings → Advanced → Developer Mode, then right-click it and choose \"Copy ID\"; write it in quotes, e.g. \"123456789012345678\"",
                )
            })
        };
        if let Some(token) = &raw.discord.token {
            return Err(invalid(
                token.span(),
                "the bot token must not be written in the config file".into(),
                "delete this line; set the DISCORD_TOKEN environment variable or put the token alone in a file named by `token_file` (readable only by you)",
            ));
        }
        let api = match raw.discord.api {
            Some(api) => {
                let url = api.get_ref().trim().trim_end_matches('/').to_string();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(invalid(
                        api.span(),
                        format!("`api` {:?} is not an http(s) URL", api.get_ref()),
                        "write e.g. \"http://127.0.0.1:3000\", or remove the line to talk to discord.com",
                    ));
                }
                Some(url)
            }
            None => None,
        };
        let discord = DiscordSettings {
            api,
            token_file: raw.discord.token_file,
            guild: raw
                .discord
                .guild
                .as_ref()
                .map(|g| id(g, "guild").map(GuildId))
                .transpose()?,
            staff_channel: raw
                .discord
                .staff_channel
                .as_ref()
                .map(|c| id(c, "staff_channel").map(ChannelId))
                .transpose()?,
            message_content: raw.discord.message_content.unwrap_or(true),
        };
        let escalate_to: Vec<UserId> = raw
            .reminders
            .escalate_to
            .iter()
            .map(|u| id(u, "escalate_to").map(UserId))
            .collect::<Result<_, _>>()?;
        let staff = Staff {
            backups: escalate_to.clone(),
            owners: raw
                .discord
                .owners
                .iter()
                .map(|o| id(o, "owner").map(UserId))
                .collect::<Result<_, _>>()?,
            roles: raw
                .discord
                .staff_roles
                .iter()
                .map(|r| id(r, "staff role").map(RoleId))
                .collect::<Result<_, _>>()?,
        };
        let watch = Watch {
            channels: raw
                .watch
                .channels
                .iter()
                .map(|c| id(c, "channel").map(ChannelId))
                .collect::<Result<_, _>>()?,
            forums: raw
                .watch
                .forums
                .iter()
                .map(|c| id(c, "forum").map(ChannelId))
                .collect::<Result<_, _>>()?,
            dms: raw.watch.dms.unwrap_or(true),
            threads: raw.watch.threads.unwrap_or(false),
        };
        let hours = match raw.hours {
            None => BusinessHours::always_open(TimeZone::UTC),
            Some(h) => {
                let tz = TimeZone::get(h.time_zone.get_ref().trim()).map_err(|_| {
                    invalid(
                        h.time_zone.span(),
                        format!("unknown time zone {:?}", h.time_zone.get_ref()),
                        "use an IANA name such as \"Europe/London\", \"America/Toronto\" or \"Asia/Singapore\"",
                    )
                })?;
                let days = [
                    h.monday,
                    h.tuesday,
                    h.wednesday,
                    h.thursday,
                    h.friday,
                    h.saturday,
                    h.sunday,
                ];
                let mut week: [Vec<_>; 7] = Default::default();
                for (slot, day) in week.iter_mut().zip(days) {
                    if let Some(day) = day {
                        *slot = BusinessHours::parse_day(day.get_ref()).map_err(|e| {
                            invalid(day.span(), e.to_string(), "a missing day counts as closed")
                        })?;
                    }
                }
                let mut holidays = BTreeSet::new();
                for d in &h.holidays {
                    let date: Date = d.get_ref().trim().parse().map_err(|_| {
                        invalid(
                            d.span(),
                            format!("holiday {:?} is not a date", d.get_ref()),
                            "write dates as \"2026-12-25\"",
                        )
                    })?;
                    holidays.insert(date);
                }
                BusinessHours::new(tz, week, holidays)
            }
        };
        let duration = |s: &Spanned<String>| {
            parse_duration(s.get_ref()).map_err(|e| invalid(s.span(), e.to_string(), &e.fix()))
        };
        let mut reminders = ReminderSchedule::default();
        if let Some(after) = &raw.reminders.after {
            reminders.after = after.iter().map(duration).collect::<Result<_, _>>()?;
            if reminders.after.windows(2).any(|w| w[0] >= w[1]) {
                return Err(invalid(
                    after.first().map_or(0..0, |s| s.span()),
                    "reminder times must grow: each is counted from when the customer started waiting".into(),
                    "write them in increasing order, e.g. [\"15m\", \"1h\", \"4h\"]",
                ));
            }
        }
        if let Some(every) = &raw.reminders.then_every {
            reminders.then_every = Some(duration(every)?);
        }
        let quiet_hours = match &raw.reminders.quiet_hours {
            None => None,
            Some(q) => Some(crate::hours::QuietHours::parse(q.get_ref()).map_err(|_| {
                invalid(
                    q.span(),
                    format!("quiet_hours {:?} is not a time range", q.get_ref()),
                    "write e.g. \"22:00-07:00\" (it may wrap past midnight), or remove the line",
                )
            })?),
        };
        let escalation =
            match (&raw.reminders.escalate_after, escalate_to.is_empty()) {
                (None, true) => None,
                (Some(after), true) => return Err(invalid(
                    after.span(),
                    "escalate_after is set but nobody is named to escalate to".into(),
                    "add escalate_to = [\"<user id>\"] under [reminders], or remove escalate_after",
                )),
                (after, false) => Some(Escalation {
                    to: escalate_to,
                    after: match after {
                        Some(a) => duration(a)?,
                        None => SignedDuration::from_hours(4),
                    },
                }),
            };
        let ratings = RatingPolicy {
            ask: raw.ratings.ask.unwrap_or(true),
            form: match &raw.ratings.form {
                None => RatingForm::FiveStars,
                Some(f) => match f.get_ref().trim() {
                    "five" => RatingForm::FiveStars,
                    "two" => RatingForm::TwoChoices,
                    other => {
                        return Err(invalid(
                            f.span(),
                            format!("rating form {other:?} is not one frontdesk offers"),
                            "write form = \"five\" (buttons 1 to 5) or form = \"two\" (helpful / not helpful)",
                        ))
                    }
                },
            },
        };
        let auto_resolve_after = match &raw.conversations.auto_resolve_after {
            None => Some(SignedDuration::from_hours(24 * 7)),
            Some(s) if s.get_ref().trim().eq_ignore_ascii_case("never") => None,
            Some(s) => Some(duration(s)?),
        };
        let reply_target = match &raw.conversations.reply_target {
            None => SignedDuration::from_hours(1),
            Some(s) => duration(s)?,
        };
        let promises = PromisePolicy {
            enabled: raw.promises.enabled.unwrap_or(true),
            remind_after: match &raw.promises.remind_after {
                None => PromisePolicy::default().remind_after,
                Some(s) => parse_duration(s.get_ref()).map_err(|e| {
                    invalid(
                        s.span(),
                        format!("[promises] remind_after: {e}"),
                        "write a number and a unit, e.g. remind_after = \"24h\" or \"2d\" (open time before whoever promised is reminded; units: s, m, h, d, w)",
                    )
                })?,
            },
        };
        let flush_every = match &raw.flush_every_ms {
            None => DEFAULT_FLUSH_EVERY,
            Some(ms) if (10..=10_000).contains(ms.get_ref()) => {
                SignedDuration::from_millis(*ms.get_ref())
            }
            Some(ms) => {
                return Err(invalid(
                    ms.span(),
                    format!("flush_every_ms = {} is outside 10..10000", ms.get_ref()),
                    "remove the line for the default (200), or choose between 10 (more disk writes) and 10000 (more to rebuild from Discord's history after a crash)",
                ))
            }
        };
        let dashboard = match raw.dashboard {
            None => None,
            Some(d) => {
                let Some(listen) = d.listen else {
                    return Err(invalid(
                        0..0,
                        "[dashboard] has no `listen` address".into(),
                        "add e.g. `listen = \"127.0.0.1:8686\"` under [dashboard], or remove the section to turn the dashboard off",
                    ));
                };
                let addr = listen.get_ref().trim().parse().map_err(|_| {
                    invalid(
                        listen.span(),
                        format!("`listen` {:?} is not an address with a port", listen.get_ref()),
                        "write e.g. \"127.0.0.1:8686\" (this machine only) or \"0.0.0.0:8686\" (behind a TLS reverse proxy)",
                    )
                })?;
                let public_url = match d.public_url {
                    None => None,
                    Some(url) => {
                        let u = url.get_ref().trim().trim_end_matches('/').to_string();
                        if !(u.starts_with("http://") || u.starts_with("https://")) {
                            return Err(invalid(
                                url.span(),
                                format!("`public_url` {:?} is not an http(s) URL", url.get_ref()),
                                "write the address people open, e.g. \"https://desk.example.com\", or remove the line",
                            ));
                        }
                        Some(u)
                    }
                };
                Some(DashboardSettings {
                    listen: addr,
                    public_url,
                })
            }
        };
        Ok(Config {
            path: None,
            business_name: raw.business_name.unwrap_or_else(|| "our shop".to_string()),
            owner_name: raw.owner_name.unwrap_or_else(|| "the owner".to_string()),
            responses: raw.responses.unwrap_or_else(|| PathBuf::from("responses")),
            data_dir: raw.data_dir.unwrap_or_else(|| PathBuf::from("data")),
            flush_every,
            discord,
            staff,
            watch,
            hours,
            reminders,
            auto_resolve_after,
            quiet_hours,
            closing_text: raw.conversations.closing_message.unwrap_or_else(|| {
                "This conversation was closed after a quiet spell. Just write here again if you need anything!".to_string()
            }),
            reply_target,
            ratings,
            escalation,
            dashboard,
            weekly_digest: raw.digest.weekly.unwrap_or(true),
            promises,
            claim_tell_customer: raw.claim.tell_customer.unwrap_or(true),
        })
    }

    /// Resolves a path written in the config relative to the config file's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        match self.path.as_ref().and_then(|c| c.parent()) {
            Some(dir) if p.is_relative() && !dir.as_os_str().is_empty() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests;
