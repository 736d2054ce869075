//! `frontdesk setup`: from a bot token to a working, commented `frontdesk.toml`. It checks the
//! token, prints the invite link, waits for the bot to join a server, lets the owner pick the
//! places and people by name, writes the config (and the default rules and the token file when
//! asked), then runs `check`'s validation and `doctor`.
//!
//! `choices` holds the decisions (from flags or from `prompt`), `template` the config text.
//! The token goes into a `0600` file or nowhere, never into the config.

pub mod choices;
pub mod prompt;
pub mod template;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use choices::{Choices, Offer};
use template::{Value, Values};

use crate::config::{Config, ConfigError, Secret};
use crate::discord::inspect::{channel_type, InspectError, Inspector};
use crate::doctor;
use crate::responses::{builtin, ResponsesErrors};

/// How often the bot's server list is read while waiting for the invite to be accepted.
const INVITE_POLL: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("setup asks questions, but standard input is not a terminal\n  fix: run it in a terminal, or give the choices as flags, e.g. `frontdesk setup --watch help --staff-channel staff` with DISCORD_TOKEN set (see `frontdesk setup --help`)")]
    NotATerminal,
    #[error("no bot token\n  fix: set DISCORD_TOKEN (Developer Portal → your application → Bot → Reset Token)")]
    NoToken,
    #[error(
        "{path} already exists\n  fix: pass --force to replace it, or --out to write another file"
    )]
    Exists { path: PathBuf },
    #[error("kept {path} as it is\n  fix: pass --out to write another file")]
    Kept { path: PathBuf },
    #[error("{what}\n  fix: pass {flag}; this server has: {choices}")]
    Missing {
        flag: &'static str,
        what: String,
        choices: String,
    },
    #[error("{flag} {value:?} matches nothing\n  fix: use one of: {choices}")]
    NotFound {
        flag: &'static str,
        value: String,
        choices: String,
    },
    #[error("the bot is in no server yet\n  fix: open this link, pick your server and authorize, then run setup again: {invite}")]
    NotInvited { invite: String },
    #[error("server \"{server}\" has no text channel\n  fix: create one where customers write (e.g. #help) and a private one for staff (e.g. #staff), then run setup again")]
    NoTextChannels { server: String },
    #[error("{user} is not a member of \"{server}\"\n  fix: pass the user id of a member with --owner (Developer Mode on, right-click them → Copy User ID)")]
    OwnerNotMember { user: u64, server: String },
    #[error("unknown time zone {0:?}\n  fix: pass --time-zone with an IANA name such as Europe/London or America/Toronto")]
    TimeZone(String),
    #[error("{0}")]
    Discord(#[from] InspectError),
    #[error("cannot ask: {0}")]
    Prompt(#[from] dialoguer::Error),
    #[error("cannot write {path}: {reason}\n  fix: check that the folder exists and that this user may write there")]
    Write { path: PathBuf, reason: String },
    #[error("the written config does not pass `check`: {0}")]
    Config(#[from] ConfigError),
    #[error("the rules do not pass `check`: {0}")]
    Responses(#[from] ResponsesErrors),
    #[error("cannot print: {0}")]
    Output(#[from] std::io::Error),
}

/// What `setup` was asked, beyond the choices.
pub struct SetupRequest {
    /// Where the config goes.
    pub out: PathBuf,
    /// A Discord-compatible API instead of discord.com; also written into the config.
    pub api: Option<String>,
    /// DISCORD_TOKEN, when set.
    pub token: Option<String>,
    /// The database folder to write as `data_dir` (a service's state directory, a container's
    /// volume); `None` keeps the example's `data` next to the config.
    pub data_dir: Option<PathBuf>,
}

/// What `setup` did.
#[derive(Debug)]
pub struct Outcome {
    pub config: PathBuf,
    pub doctor: doctor::Report,
}

/// Runs the whole setup. Standard input must be a terminal when `choices` asks questions.
pub async fn run(
    req: &SetupRequest,
    choices: &mut dyn Choices,
    out: &mut dyn Write,
) -> Result<Outcome, SetupError> {
    if req.out.exists() && !choices.overwrite(&req.out)? {
        return Err(if choices.can_wait() {
            SetupError::Kept {
                path: req.out.clone(),
            }
        } else {
            SetupError::Exists {
                path: req.out.clone(),
            }
        });
    }
    let token = match req
        .token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => {
            writeln!(out, "Using the token from DISCORD_TOKEN.")?;
            t.to_string()
        }
        None => choices.token()?.trim().to_string(),
    };
    if token.is_empty() {
        return Err(SetupError::NoToken);
    }
    let token = Secret::new(token);
    let discord = Inspector::new(req.api.as_deref(), &token)?;
    let bot = discord.me().await?;
    let app = discord.application().await?;
    writeln!(
        out,
        "Token ok: bot \"{}\" of application \"{}\".",
        bot.display_name(),
        app.name
    )?;
    let message_content = app.message_content_on();
    if !message_content {
        writeln!(out, "Note: the Message Content Intent is off, so frontdesk will not read message text (it still answers everyone, with the general texts). To turn it on: Developer Portal → \"{}\" → Bot → Message Content Intent, then set `message_content = true` in the config.", app.name)?;
    }
    let invite = doctor::invite_url(app.id);

    let mut guilds = discord.guilds().await?;
    if guilds.is_empty() {
        if !choices.can_wait() {
            return Err(SetupError::NotInvited { invite });
        }
        writeln!(out, "\nInvite the bot to your server: open this link, pick the server and authorize.\n\n  {invite}\n\nWaiting for it to join (Ctrl-C stops)...")?;
        out.flush()?;
        while guilds.is_empty() {
            tokio::time::sleep(INVITE_POLL).await;
            guilds = discord.guilds().await?;
        }
    }
    let chosen = choices.guild(&guilds)?;
    let (guild_id, guild_name) = (chosen.id, chosen.name.clone());
    let guild = discord
        .guild(guild_id)
        .await?
        .ok_or_else(|| SetupError::NotInvited {
            invite: invite.clone(),
        })?;
    let (channels, roles) = tokio::join!(discord.channels(guild_id), discord.roles(guild_id));
    let (channels, roles) = (channels?, roles?);
    writeln!(
        out,
        "Server \"{guild_name}\": {} channels, {} roles.",
        channels.len(),
        roles.len()
    )?;
    let text: Vec<_> = channels
        .iter()
        .filter(|c| matches!(c.kind, channel_type::TEXT | channel_type::ANNOUNCEMENT))
        .cloned()
        .collect();
    let forums: Vec<_> = channels
        .iter()
        .filter(|c| matches!(c.kind, channel_type::FORUM | channel_type::MEDIA))
        .cloned()
        .collect();
    let staff_text: Vec<_> = text
        .iter()
        .filter(|c| c.kind == channel_type::TEXT)
        .cloned()
        .collect();
    if staff_text.is_empty() {
        return Err(SetupError::NoTextChannels { server: guild_name });
    }
    let places = choices.places(&Offer {
        text: &text,
        forums: &forums,
    })?;
    let staff_channel = choices.staff_channel(&staff_text)?;
    let pickable: Vec<_> = roles
        .iter()
        .filter(|r| r.id != guild_id && !r.managed)
        .cloned()
        .collect();
    let staff_roles = choices.staff_roles(&pickable)?;

    let server_owner = discord.member(guild_id, guild.owner_id).await?;
    let owner_default_name = server_owner
        .as_ref()
        .and_then(|m| m.user.as_ref())
        .map_or_else(
            || guild.owner_id.to_string(),
            |u| u.display_name().to_string(),
        );
    let owner = choices.owner(guild.owner_id, &owner_default_name)?;
    let owner_name = if owner == guild.owner_id {
        owner_default_name
    } else {
        match discord.member(guild_id, owner).await? {
            Some(m) => m
                .user
                .map_or_else(|| owner.to_string(), |u| u.display_name().to_string()),
            None => {
                return Err(SetupError::OwnerNotMember {
                    user: owner,
                    server: guild_name,
                })
            }
        }
    };
    let business_name = choices.business_name(&guild_name)?;
    let owner_name = choices.owner_name(&owner_name)?;
    let system_zone = jiff::tz::TimeZone::system()
        .iana_name()
        .unwrap_or("UTC")
        .to_string();
    let time_zone = choices.time_zone(&system_zone)?.trim().to_string();
    if jiff::tz::TimeZone::get(&time_zone).is_err() {
        return Err(SetupError::TimeZone(time_zone));
    }
    let hours = choices.hours()?;
    let folder = req
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let token_file = choices.token_file(&folder.join("frontdesk.token"))?;

    let token_name = match &token_file {
        Some(file) => {
            write_token(file, &token)?;
            Some(config_path_of(file, folder))
        }
        None => None,
    };
    let values = config_values(&Picked {
        guild: guild_id,
        places,
        staff_channel,
        staff_roles,
        owner,
        business_name,
        owner_name,
        time_zone,
        hours,
        message_content,
        api: req.api.clone(),
        data_dir: req.data_dir.clone(),
        token_file: token_name,
    });
    let text = template::render(&values).map_err(|e| SetupError::Write {
        path: req.out.clone(),
        reason: e.to_string(),
    })?;
    write_readable(&req.out, &text).map_err(|e| SetupError::Write {
        path: req.out.clone(),
        reason: e.to_string(),
    })?;
    writeln!(out, "\nWrote {}.", req.out.display())?;
    match &token_file {
        Some(f) => writeln!(
            out,
            "Wrote the token to {} (readable only by you).",
            f.display()
        )?,
        None => writeln!(
            out,
            "The token is stored nowhere: set DISCORD_TOKEN before `frontdesk run`."
        )?,
    }

    // The same validation as `frontdesk check`.
    let config = Config::load(&req.out)?;
    let rules_dir = config.resolve(&config.responses);
    if !rules_dir.exists() {
        builtin::write_to(&rules_dir).map_err(|e| SetupError::Write {
            path: rules_dir.clone(),
            reason: e.to_string(),
        })?;
        writeln!(
            out,
            "Wrote the default rules to {} (edit them; see its README.md).",
            rules_dir.display()
        )?;
    }
    let rules = crate::responses::Rules::load_dir(&rules_dir)?;
    writeln!(out, "check: config ok, {} rules ok.\n", rules.len())?;

    let report = doctor::examine(&config, &token, req.api.as_deref()).await?;
    doctor::print(&report, out)?;
    if report.is_healthy() {
        let run = if token_file.is_some() {
            ""
        } else {
            "DISCORD_TOKEN=... "
        };
        writeln!(
            out,
            "\nReady: {run}frontdesk run --config {}",
            req.out.display()
        )?;
    }
    Ok(Outcome {
        config: req.out.clone(),
        doctor: report,
    })
}

/// Everything setup decided, as the config will say it.
struct Picked {
    guild: u64,
    places: choices::Places,
    staff_channel: u64,
    staff_roles: Vec<u64>,
    owner: u64,
    business_name: String,
    owner_name: String,
    time_zone: String,
    hours: choices::HoursPreset,
    message_content: bool,
    api: Option<String>,
    data_dir: Option<PathBuf>,
    /// As the config names it (relative to the config's folder when inside it).
    token_file: Option<String>,
}

/// The template's keys for what was picked; the rest keeps the example's values.
fn config_values(p: &Picked) -> Values {
    let ids = |list: &[u64]| Value::Strs(list.iter().map(u64::to_string).collect());
    let text = |s: &str| Value::Str(s.to_string());
    let mut values = Values::new();
    values.insert(("", "business_name"), text(&p.business_name));
    values.insert(("", "owner_name"), text(&p.owner_name));
    if let Some(dir) = &p.data_dir {
        values.insert(("", "data_dir"), text(&dir.display().to_string()));
    }
    values.insert(("discord", "guild"), text(&p.guild.to_string()));
    values.insert(("discord", "owners"), ids(&[p.owner]));
    values.insert(("discord", "staff_roles"), ids(&p.staff_roles));
    values.insert(
        ("discord", "staff_channel"),
        text(&p.staff_channel.to_string()),
    );
    values.insert(
        ("discord", "message_content"),
        Value::Bool(p.message_content),
    );
    if let Some(api) = &p.api {
        values.insert(("discord", "api"), text(api.trim_end_matches('/')));
    }
    if let Some(file) = &p.token_file {
        values.insert(("discord", "token_file"), text(file));
    }
    values.insert(("watch", "channels"), ids(&p.places.channels));
    values.insert(("watch", "forums"), ids(&p.places.forums));
    values.insert(("hours", "time_zone"), text(&p.time_zone));
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    for (day, hours) in DAYS.iter().zip(p.hours.week()) {
        values.insert(("hours", day), text(hours));
    }
    values.insert(("hours", "holidays"), Value::Strs(Vec::new()));
    values
}

/// The config: readable by all (it holds no secret), so that a service user can read a
/// config root wrote. The process umask (owner-only, for customer data) would hide it.
fn write_readable(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(())
}

/// The token file: created readable by its owner only, before anything is written into it.
fn write_token(path: &Path, token: &Secret) -> Result<(), SetupError> {
    let fail = |e: std::io::Error| SetupError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(fail)?;
    // An existing file keeps its mode on open: make sure it is private before writing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    writeln!(file, "{}", token.expose()).map_err(fail)
}

/// `file` as the config should name it: relative to the config's folder when inside it,
/// else absolute (the config resolves relative paths from its own folder, not from here).
fn config_path_of(file: &Path, folder: &Path) -> String {
    let (Ok(file), Ok(folder)) = (std::fs::canonicalize(file), std::fs::canonicalize(folder))
    else {
        return file.display().to_string();
    };
    file.strip_prefix(&folder)
        .unwrap_or(&file)
        .display()
        .to_string()
}
