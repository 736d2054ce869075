//! `frontdesk setup`: from a bot token to a working, commented `frontdesk.toml`. It checks the
//! token, prints the invite link, waits for the bot to join a server, lets the owner pick the
//! places and people by name, writes the config (and the default rules and the token file when
//! asked), then runs `check`'s validation and `doctor`.
//!
//! `choices` holds the decisions (from flags or from `prompt`), `template` the config text.
//! The token goes into a `0600` file or nowhere, never into the config.

pub mod choices;
pub mod files;
pub mod prompt;
pub mod template;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use choices::{Choices, Offer, PublicStaffChannel};
use files::TokenFile;
use template::{Value, Values};

use crate::config::{Config, ConfigError, Secret};
use crate::discord::inspect::{channel_type, Channel, Guild, InspectError, Inspector, Role, User};
use crate::discord::pace::Pacer;
use crate::doctor;
use crate::doctor::findings::{
    bot_role_name, everyone_can_view, private_channel_fix, public_staff_problem,
};
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
    #[error("the data directory {path} {problem}\n  fix: {fix}")]
    DataDir {
        path: PathBuf,
        problem: String,
        fix: String,
    },
    #[error("{path} is a symbolic link: setup does not write the token through one, which could put it in another file\n  fix: name the real file (or a new one) with --token-file, or remove the link")]
    TokenFileLink { path: PathBuf },
    #[error("{path} is not a file\n  fix: name a file for the token with --token-file")]
    TokenFileNotAFile { path: PathBuf },
    #[error("{path} already exists and holds another token (or something else)\n  fix: pass --force to replace it with this token, or --token-file to write another file")]
    TokenFileExists { path: PathBuf },
    #[error("kept {path} as it is\n  fix: move it away and run setup again, or keep the token nowhere and set DISCORD_TOKEN for each run")]
    TokenFileKept { path: PathBuf },
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
    /// The global budget every read of Discord takes a slot of: setup's own (it runs as a
    /// process of its own), [`Pacer::discord`].
    pub budget: Pacer,
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
    let folder = req
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Where `run` will keep its database (a relative path is the config's folder's), checked
    // before any question so that a folder `run` could not use stops setup at once.
    let data_dir = folder.join(req.data_dir.as_deref().unwrap_or(Path::new("data")));
    if let Some(note) = files::check_data_dir(&data_dir)? {
        writeln!(out, "{note}")?;
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
    let discord = Inspector::connect(req.api.as_deref(), &token, req.budget.clone())?;
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
    let (mut channels, mut roles) = (channels?, roles?);
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
    if !text.iter().any(|c| c.kind == channel_type::TEXT) {
        return Err(SetupError::NoTextChannels { server: guild_name });
    }
    let places = choices.places(&Offer {
        text: &text,
        forums: &forums,
    })?;
    let staff_channel = pick_staff_channel(
        choices,
        out,
        &discord,
        (&guild, &bot),
        &mut channels,
        &mut roles,
    )
    .await?;
    let pickable: Vec<_> = roles
        .iter()
        .filter(|r| r.id != guild_id && !r.managed)
        .cloned()
        .collect();
    let staff_roles = choices.staff_roles(&pickable)?;

    // The name the server shows (nickname, else display name), not the username: the one
    // customers know the owner by.
    let owner_default_name = discord
        .member_name(guild_id, guild.owner_id)
        .await?
        .unwrap_or_else(|| guild.owner_id.to_string());
    let owner = choices.owner(guild.owner_id, &owner_default_name)?;
    let owner_name = if owner == guild.owner_id {
        owner_default_name
    } else {
        match discord.member_name(guild_id, owner).await? {
            Some(name) => name,
            None => {
                return Err(SetupError::OwnerNotMember {
                    user: owner,
                    server: guild_name,
                })
            }
        }
    };
    let business_name = choices.business_name(&guild_name)?;
    let owner_discord_name = owner_name.clone();
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
    let token_file = choices.token_file(&folder.join("frontdesk.token"))?;
    // Everything is checked before anything is written.
    let token_state = match &token_file {
        Some(file) => Some(token_file_state(file, &token, choices)?),
        None => None,
    };

    let token_name = match (&token_file, token_state) {
        (Some(file), Some(state)) => {
            files::write_token(file, &token, state)?;
            Some(files::config_path_of(file, folder))
        }
        _ => None,
    };
    let channel_name = |id: &u64| {
        let name = channels
            .iter()
            .find(|c| c.id == *id)
            .map_or("", |c| &c.name);
        (*id, format!("#{name}"))
    };
    let role_name = |id: &u64| {
        let name = roles.iter().find(|r| r.id == *id).map_or("", |r| &r.name);
        (*id, format!("@{name}"))
    };
    let values = config_values(&Picked {
        guild: (guild_id, guild_name.clone()),
        channels: places.channels.iter().map(channel_name).collect(),
        forums: places.forums.iter().map(channel_name).collect(),
        staff_channel: (staff_channel.0, format!("#{}", staff_channel.1)),
        staff_roles: staff_roles.iter().map(role_name).collect(),
        owner: (owner, owner_discord_name),
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
    files::write_readable(&req.out, &text).map_err(|e| SetupError::Write {
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

    // The same token and server, so the same client (and budget).
    let report = doctor::examine(&config, &discord).await?;
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

/// Everything setup decided, as the config will say it; each id with its name on Discord.
struct Picked {
    guild: (u64, String),
    channels: Vec<(u64, String)>,
    forums: Vec<(u64, String)>,
    staff_channel: (u64, String),
    staff_roles: Vec<(u64, String)>,
    owner: (u64, String),
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
    let ids = |list: &[(u64, String)]| Value::Ids(list.to_vec());
    let id = |(id, name): &(u64, String)| Value::Id(*id, name.clone());
    let text = |s: &str| Value::Str(s.to_string());
    let mut values = Values::new();
    values.insert(("", "business_name"), text(&p.business_name));
    values.insert(("", "owner_name"), text(&p.owner_name));
    if let Some(dir) = &p.data_dir {
        values.insert(("", "data_dir"), text(&dir.display().to_string()));
    }
    values.insert(("discord", "guild"), id(&p.guild));
    values.insert(("discord", "owners"), ids(std::slice::from_ref(&p.owner)));
    values.insert(("discord", "staff_roles"), ids(&p.staff_roles));
    values.insert(("discord", "staff_channel"), id(&p.staff_channel));
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
    values.insert(("watch", "channels"), ids(&p.channels));
    values.insert(("watch", "forums"), ids(&p.forums));
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

/// What is at the token file's path, and whether it may be replaced: a link or a folder is
/// refused, another file is replaced only when the owner agrees (`--force` in the flag form).
fn token_file_state(
    file: &Path,
    token: &Secret,
    choices: &mut dyn Choices,
) -> Result<TokenFile, SetupError> {
    let state = files::token_file_state(file, token)?;
    if state == TokenFile::Other && !choices.replace_token_file(file)? {
        let path = file.to_path_buf();
        return Err(if choices.can_wait() {
            SetupError::TokenFileKept { path }
        } else {
            SetupError::TokenFileExists { path }
        });
    }
    Ok(state)
}

/// The staff channel, and its name. One every member sees is explained with the fix, then the
/// owner may have it read again (made private meanwhile), pick another, or keep it; reading it
/// again refreshes `channels` and `roles`.
async fn pick_staff_channel(
    choices: &mut dyn Choices,
    out: &mut dyn Write,
    discord: &Inspector,
    (guild, bot): (&Guild, &User),
    channels: &mut Vec<Channel>,
    roles: &mut Vec<Role>,
) -> Result<(u64, String), SetupError> {
    let mut again: Option<u64> = None;
    loop {
        let text: Vec<&Channel> = channels
            .iter()
            .filter(|c| c.kind == channel_type::TEXT)
            .collect();
        let public: Vec<u64> = text
            .iter()
            .filter(|c| everyone_can_view(guild.id, roles, c))
            .map(|c| c.id)
            .collect();
        let id = match again.take().filter(|id| text.iter().any(|c| c.id == *id)) {
            Some(id) => id,
            None => {
                let list: Vec<Channel> = text.iter().map(|c| (*c).clone()).collect();
                choices.staff_channel(&list, &public)?
            }
        };
        let picked = text
            .iter()
            .find(|c| c.id == id)
            .map_or_else(String::new, |c| c.name.clone());
        if !public.contains(&id) {
            return Ok((id, picked));
        }
        let bot_roles = discord
            .member_roles(guild.id, bot.id)
            .await?
            .unwrap_or_default();
        let bot_role = bot_role_name(roles, &bot_roles, &bot.username);
        writeln!(
            out,
            "\nWarning: {}\n  fix: {}",
            public_staff_problem(&picked, &guild.name),
            private_channel_fix(&picked, &[], &bot_role)
        )?;
        match choices.public_staff_channel(&picked)? {
            PublicStaffChannel::Keep => return Ok((id, picked)),
            PublicStaffChannel::PickAnother => {}
            PublicStaffChannel::CheckAgain => {
                let (c, r) = tokio::join!(discord.channels(guild.id), discord.roles(guild.id));
                (*channels, *roles) = (c?, r?);
                again = Some(id);
            }
        }
    }
}
