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
    staff_privacy(config, s, server, &mut out);
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
    let grantee = bot_grantee(s, server);
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

/// The role to grant the bot something with: its own (Discord names it after the bot), else
/// its name.
fn bot_grantee(s: &Snapshot, server: &Server) -> String {
    let bot_roles = server.bot_roles.as_deref().unwrap_or_default();
    bot_role_name(&server.roles, bot_roles, &s.bot.username)
}

/// The bot's own role among its roles (the managed one Discord makes at the invite, named
/// after the bot), else its username.
pub fn bot_role_name(roles: &[Role], bot_roles: &[u64], username: &str) -> String {
    roles
        .iter()
        .filter(|r| bot_roles.contains(&r.id))
        .max_by_key(|r| (r.managed, r.position))
        .map_or_else(|| username.to_string(), |r| r.name.clone())
}

/// What is wrong with a staff channel every member sees.
pub fn public_staff_problem(channel: &str, server: &str) -> String {
    format!("the staff channel #{channel} is visible to @everyone: every member of \"{server}\" can read the notices posted there, which quote customers' messages when an owner cannot be DMed")
}

/// Whether every member of the server can see `channel`: `@everyone`'s permissions there, as
/// Discord computes them (the role, then the channel's `@everyone` overwrite).
pub fn everyone_can_view(guild: u64, roles: &[Role], channel: &Channel) -> bool {
    let roles: Vec<RolePermissions> = roles
        .iter()
        .map(|r| RolePermissions {
            id: r.id,
            permissions: r.permissions,
        })
        .collect();
    let perms = permissions::everyone_permissions(guild, &roles, &channel.overwrites());
    perms & permissions::VIEW_CHANNEL.bit != 0
}

/// The fix for a staff channel everyone sees, naming the roles to let in.
pub fn private_channel_fix(channel: &str, staff_roles: &[String], bot_role: &str) -> String {
    let staff = if staff_roles.is_empty() {
        "your staff's role".to_string()
    } else {
        staff_roles
            .iter()
            .map(|r| format!("\"{r}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("open #{channel}'s settings (the gear beside its name) → Permissions: turn on Private Channel (it denies View Channel to @everyone), then allow View Channel to {staff} and to the bot's role \"{bot_role}\"; or set `staff_channel` to a private channel")
}

/// The staff channel must be private: notices land there when an owner cannot be DMed, with
/// the customer's words in them. Only `@everyone` is judged: another role that sees the
/// channel (moderators, managers) is usually meant to, and a role every member holds cannot
/// be told apart without listing members (a privileged intent).
fn staff_privacy(config: &Config, s: &Snapshot, server: &Server, out: &mut Vec<Finding>) {
    let Some(id) = config.discord.staff_channel else {
        return;
    };
    let Some(c) = server
        .channels
        .iter()
        .find(|c| c.id == id.0 && Want::Staff.accepts(c.kind))
    else {
        return;
    };
    if !everyone_can_view(server.guild.id, &server.roles, c) {
        return;
    }
    let staff: Vec<String> = server
        .roles
        .iter()
        .filter(|r| config.staff.roles.iter().any(|id| id.0 == r.id))
        .map(|r| r.name.clone())
        .collect();
    out.push(Finding {
        problem: public_staff_problem(&c.name, &server.guild.name),
        fix: private_channel_fix(&c.name, &staff, &bot_grantee(s, server)),
    });
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
