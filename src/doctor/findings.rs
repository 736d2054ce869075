//! What is wrong between the config and the server, decided from what `doctor` read. Pure: no
//! I/O, so every finding is decided the same way in `doctor`, `setup` and at `run`'s start.

use std::fmt;

use crate::config::Config;
use crate::core::permissions::{self, Member, Permission, RolePermissions};
use crate::discord::inspect::{channel_type, Application, Channel, Guild, Role, User};

/// One problem and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  fix: {}", self.problem, self.fix)
    }
}

/// The configured server as the bot sees it.
#[derive(Clone, Debug)]
pub struct Server {
    pub guild: Guild,
    pub channels: Vec<Channel>,
    pub roles: Vec<Role>,
    /// The bot's roles there (`None`: it is not a member after all).
    pub bot_roles: Option<Vec<u64>>,
    /// Each configured owner and whether they are a member.
    pub owners: Vec<(u64, bool)>,
}

/// Everything `doctor` read.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub bot: User,
    pub application: Application,
    /// The servers the bot is in.
    pub guilds: Vec<u64>,
    /// The configured server, when there is one and the bot is in it.
    pub server: Option<Server>,
}

/// The problems, most fundamental first. `invite` is the invite link, for the fix of a bot
/// that is not in the server.
pub fn diagnose(config: &Config, s: &Snapshot, invite: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let app = &s.application.name;
    if config.discord.message_content && !s.application.message_content_on() {
        out.push(Finding {
            problem: format!("the Message Content Intent of application \"{app}\" is off, but the config asks for message text (`message_content = true`)"),
            fix: format!("in the Developer Portal, open \"{app}\" → Bot, turn on Message Content Intent and save; or set `message_content = false` in [discord] to run without message text"),
        });
    }
    let Some(guild) = config.discord.guild else {
        return out;
    };
    if !s.guilds.contains(&guild.0) {
        out.push(Finding {
            problem: format!("the bot is not in the server set in [discord] guild ({})", guild.0),
            fix: format!("invite it with {invite} (choose that server), or correct `guild`; `frontdesk setup` lists the servers the bot is in"),
        });
        return out;
    }
    let Some(server) = &s.server else {
        return out;
    };
    places(config, server, &mut out);
    people(config, server, &mut out);
    permissions(config, s, server, &mut out);
    out
}

/// The kind of place a configured id must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Watched,
    Forum,
    Staff,
}

impl Want {
    fn key(self) -> &'static str {
        match self {
            Want::Watched => "[watch] channels",
            Want::Forum => "[watch] forums",
            Want::Staff => "[discord] staff_channel",
        }
    }

    fn accepts(self, kind: u8) -> bool {
        match self {
            Want::Watched => matches!(kind, channel_type::TEXT | channel_type::ANNOUNCEMENT),
            Want::Forum => matches!(kind, channel_type::FORUM | channel_type::MEDIA),
            // Private threads (the DM relay) exist only in text channels.
            Want::Staff => kind == channel_type::TEXT,
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Want::Watched => "a text channel",
            Want::Forum => "a forum channel",
            Want::Staff => "a text channel",
        }
    }

    fn needs(self, config: &Config) -> Vec<Permission> {
        match self {
            Want::Watched if config.watch.threads => {
                [permissions::IN_WATCHED, permissions::FOR_THREAD_MODE].concat()
            }
            Want::Watched | Want::Forum => permissions::IN_WATCHED.to_vec(),
            Want::Staff => permissions::IN_STAFF_CHANNEL.to_vec(),
        }
    }
}

fn configured(config: &Config) -> Vec<(Want, u64)> {
    let mut list: Vec<(Want, u64)> = Vec::new();
    list.extend(config.watch.channels.iter().map(|c| (Want::Watched, c.0)));
    list.extend(config.watch.forums.iter().map(|c| (Want::Forum, c.0)));
    list.extend(config.discord.staff_channel.map(|c| (Want::Staff, c.0)));
    list
}

fn kind_name(kind: u8) -> &'static str {
    match kind {
        channel_type::TEXT => "a text channel",
        channel_type::CATEGORY => "a category",
        channel_type::ANNOUNCEMENT => "an announcement channel",
        channel_type::FORUM => "a forum channel",
        channel_type::MEDIA => "a media channel",
        2 | 13 => "a voice channel",
        _ => "another kind of channel",
    }
}

fn places(config: &Config, server: &Server, out: &mut Vec<Finding>) {
    let name = &server.guild.name;
    for (want, id) in configured(config) {
        match server.channels.iter().find(|c| c.id == id) {
            None => out.push(Finding {
                problem: format!("{} has {id}, which is not a channel of \"{name}\" (deleted, or in another server)", want.key()),
                fix: format!("replace it with a channel of \"{name}\" (`frontdesk setup` lists them by name) or remove it"),
            }),
            Some(c) if !want.accepts(c.kind) => out.push(Finding {
                problem: format!("{} has #{} ({id}), which is {}, not {}", want.key(), c.name, kind_name(c.kind), want.expected()),
                fix: format!("in {}, use {} instead (`frontdesk setup` lists them by name)", want.key(), want.expected()),
            }),
            Some(_) => {}
        }
    }
}

fn people(config: &Config, server: &Server, out: &mut Vec<Finding>) {
    let name = &server.guild.name;
    for role in &config.staff.roles {
        if !server.roles.iter().any(|r| r.id == role.0) {
            out.push(Finding {
                problem: format!("[discord] staff_roles has {}, which is not a role of \"{name}\" (deleted?)", role.0),
                fix: "replace it with an existing role (Server Settings → Roles; `frontdesk setup` lists them by name) or remove it".into(),
            });
        }
    }
    for (owner, present) in &server.owners {
        if !present {
            out.push(Finding {
                problem: format!("[discord] owners has {owner}, who is not a member of \"{name}\": the bot cannot DM them"),
                fix: "replace it with the user id of a member (Developer Mode on, right-click them → Copy User ID), or invite them".into(),
            });
        }
    }
}

fn permissions(config: &Config, s: &Snapshot, server: &Server, out: &mut Vec<Finding>) {
    let Some(bot_roles) = &server.bot_roles else {
        return;
    };
    let guild = server.guild.id;
    let member = Member {
        user: s.bot.id,
        roles: bot_roles.clone(),
    };
    let roles: Vec<RolePermissions> = server
        .roles
        .iter()
        .map(|r| RolePermissions {
            id: r.id,
            permissions: r.permissions,
        })
        .collect();
    let base = permissions::base_permissions(guild, server.guild.owner_id, &roles, &member);
    // The bot's own role (Discord names it after the bot) is the one to grant to.
    let grantee = server
        .roles
        .iter()
        .filter(|r| bot_roles.contains(&r.id))
        .max_by_key(|r| (r.managed, r.position))
        .map_or_else(|| s.bot.username.clone(), |r| r.name.clone());
    for (want, id) in configured(config) {
        let Some(c) = server
            .channels
            .iter()
            .find(|c| c.id == id && want.accepts(c.kind))
        else {
            continue;
        };
        let have = permissions::channel_permissions(base, guild, &member, &c.overwrites());
        let lacking = permissions::missing(have, &want.needs(config));
        if lacking.is_empty() {
            continue;
        }
        let names = lacking
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Finding {
            problem: format!("in #{}, the bot lacks {names}", c.name),
            fix: format!("open #{}'s settings (the gear beside its name) → Permissions: for the role \"{grantee}\", allow {names} (or remove the deny that blocks it)", c.name),
        });
    }
}

/// One line for `run`'s start: how many problems, and what they are in short.
pub fn summary(findings: &[Finding]) -> String {
    let what: Vec<&str> = findings.iter().map(|f| f.problem.as_str()).collect();
    format!(
        "frontdesk doctor: {} problem(s): {} (run `frontdesk doctor` for the fixes)",
        findings.len(),
        what.join("; ")
    )
}
