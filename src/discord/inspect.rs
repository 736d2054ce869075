//! What `setup` and `doctor` (and `run`'s check at start) read about the bot and its server:
//! who the token belongs to, the application's flags, the servers the bot is in, and a
//! server's channels (with their permission overwrites), roles and members. Read only:
//! nothing here changes anything on Discord.
//!
//! The reads go through the typed client (`api`), so they take their slots of a global
//! budget like every other request: the running bot's own, for `run`'s check. What they
//! return is put in frontdesk's own small types here, because `doctor` and `setup` (outside
//! `discord/`) decide from it and import no serenity.

use std::time::Duration;

use serenity::all as dc;

use super::api::{Api, ApiError};
use super::pace::{Pacer, Priority};
use super::rest::{http_client, RestError, RetryPolicy, DISCORD_API};
use crate::config::Secret;
use crate::core::permissions::{Overwrite, OverwriteTarget};
use crate::model::{GuildId, UserId};

/// A failed read.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("Discord refused the bot token (401 Unauthorized)\n  fix: copy a fresh token from the Developer Portal (your application → Bot → Reset Token) into DISCORD_TOKEN or the token file")]
    Unauthorized,
    #[error("{route}: Discord answered {status}: {message}")]
    Refused {
        route: String,
        status: u16,
        message: String,
    },
    #[error("{route}: {reason}\n  fix: check the network connection (or the address given with --discord-api / `api`)")]
    Unreachable { route: String, reason: String },
    #[error("{route}: unexpected answer: {reason}")]
    Decode { route: String, reason: String },
}

impl From<ApiError> for InspectError {
    fn from(e: ApiError) -> InspectError {
        match e {
            ApiError::Rest(RestError::Refused { status: 401, .. }) => InspectError::Unauthorized,
            ApiError::Rest(RestError::Refused {
                route,
                status,
                message,
                ..
            }) => InspectError::Refused {
                route,
                status,
                message,
            },
            ApiError::Rest(RestError::GaveUp { route, last, .. }) => InspectError::Unreachable {
                route,
                reason: last,
            },
            ApiError::Rest(RestError::Client(reason)) => InspectError::Unreachable {
                route: "(client)".into(),
                reason,
            },
            ApiError::Decode { route, reason } | ApiError::Encode { route, reason } => {
                InspectError::Decode { route, reason }
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub global_name: Option<String>,
}

impl User {
    /// The name people see: the display name (`global_name`), else the username.
    pub fn display_name(&self) -> &str {
        self.global_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.username)
    }
}

#[derive(Clone, Debug)]
pub struct Application {
    pub id: u64,
    pub name: String,
    pub flags: u64,
}

/// `GATEWAY_MESSAGE_CONTENT` and `GATEWAY_MESSAGE_CONTENT_LIMITED`: the intent is switched on
/// in the Developer Portal (the first for verified bots in 100+ servers).
pub const MESSAGE_CONTENT_FLAGS: u64 = (1 << 18) | (1 << 19);

impl Application {
    pub fn message_content_on(&self) -> bool {
        self.flags & MESSAGE_CONTENT_FLAGS != 0
    }
}

/// A server as `GET /users/@me/guilds` lists it.
#[derive(Clone, Debug)]
pub struct GuildSummary {
    pub id: u64,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Guild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
}

/// Discord channel types frontdesk tells apart.
pub mod channel_type {
    pub const TEXT: u8 = 0;
    pub const CATEGORY: u8 = 4;
    pub const ANNOUNCEMENT: u8 = 5;
    pub const FORUM: u8 = 15;
    pub const MEDIA: u8 = 16;
}

#[derive(Clone, Debug)]
pub struct Channel {
    pub id: u64,
    pub kind: u8,
    pub name: String,
    pub position: i64,
    overwrites: Vec<Overwrite>,
}

impl Channel {
    pub fn overwrites(&self) -> Vec<Overwrite> {
        self.overwrites.clone()
    }
}

#[derive(Clone, Debug)]
pub struct Role {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    pub position: i64,
    pub managed: bool,
}

impl From<dc::CurrentUser> for User {
    fn from(u: dc::CurrentUser) -> User {
        User {
            id: u.id.get(),
            username: u.name.clone(),
            global_name: u.global_name.clone(),
        }
    }
}

impl From<dc::CurrentApplicationInfo> for Application {
    fn from(a: dc::CurrentApplicationInfo) -> Application {
        Application {
            id: a.id.get(),
            name: a.name,
            flags: a.flags.map_or(0, |f| f.bits()),
        }
    }
}

impl From<dc::GuildChannel> for Channel {
    fn from(c: dc::GuildChannel) -> Channel {
        let overwrites = c
            .permission_overwrites
            .iter()
            .filter_map(|o| {
                let target = match o.kind {
                    dc::PermissionOverwriteType::Member(u) => OverwriteTarget::Member(u.get()),
                    dc::PermissionOverwriteType::Role(r) => OverwriteTarget::Role(r.get()),
                    // Discord has only these two; serenity's type is open for more.
                    _ => return None,
                };
                Some(Overwrite {
                    target,
                    allow: o.allow.bits(),
                    deny: o.deny.bits(),
                })
            })
            .collect();
        Channel {
            id: c.id.get(),
            kind: u8::from(c.kind),
            name: c.name,
            position: i64::from(c.position),
            overwrites,
        }
    }
}

impl From<dc::Role> for Role {
    fn from(r: dc::Role) -> Role {
        Role {
            id: r.id.get(),
            name: r.name,
            permissions: r.permissions.bits(),
            position: i64::from(r.position),
            managed: r.managed,
        }
    }
}

/// The reads, over one typed client.
pub struct Inspector {
    api: Api,
}

/// Few and short retries for the stand-alone commands, so that an unreachable Discord is
/// reported within seconds rather than after delivery's minute of patience.
fn standalone_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        first_backoff: Duration::from_millis(250),
        max_backoff: Duration::from_secs(2),
        ..RetryPolicy::default()
    }
}

impl Inspector {
    /// Over a running bot's client: the reads share its rate-limit windows and global budget.
    pub fn over(api: Api) -> Inspector {
        Inspector { api }
    }

    /// A client of its own for `setup` and `doctor`, processes of their own: `api` is a
    /// Discord-compatible base URL (`None`: discord.com); every read takes a slot of `budget`.
    pub fn connect(
        api: Option<&str>,
        token: &Secret,
        budget: Pacer,
    ) -> Result<Inspector, InspectError> {
        let policy = standalone_policy();
        let http = http_client(&policy).map_err(|e| InspectError::Unreachable {
            route: "(client)".into(),
            reason: e.to_string(),
        })?;
        let api = Api::new(http, api.unwrap_or(DISCORD_API), token, policy, budget);
        Ok(Inspector { api })
    }

    /// `GET /users/@me`: the bot user; [`InspectError::Unauthorized`] for a bad token.
    pub async fn me(&self) -> Result<User, InspectError> {
        Ok(self.api.me(Priority::Later).await?.into())
    }

    /// `GET /applications/@me`
    pub async fn application(&self) -> Result<Application, InspectError> {
        Ok(self.api.application(Priority::Later).await?.into())
    }

    /// The servers the bot is in.
    pub async fn guilds(&self) -> Result<Vec<GuildSummary>, InspectError> {
        let list = self.api.guilds(Priority::Later).await?;
        Ok(list
            .into_iter()
            .map(|g| GuildSummary {
                id: g.id.get(),
                name: g.name,
            })
            .collect())
    }

    /// A server; `None` when it does not exist or the bot is not in it.
    pub async fn guild(&self, id: u64) -> Result<Option<Guild>, InspectError> {
        let guild = self.api.guild(Priority::Later, GuildId(id)).await?;
        Ok(guild.map(|g| Guild {
            id: g.id.get(),
            name: g.name,
            owner_id: g.owner_id.get(),
        }))
    }

    /// A server's channels, in the order the server shows them.
    pub async fn channels(&self, guild: u64) -> Result<Vec<Channel>, InspectError> {
        let list = self.api.channels(Priority::Later, GuildId(guild)).await?;
        let mut list: Vec<Channel> = list.into_iter().map(Channel::from).collect();
        list.sort_by_key(|c| (c.position, c.id));
        Ok(list)
    }

    /// A server's roles, highest first, as the server settings list them.
    pub async fn roles(&self, guild: u64) -> Result<Vec<Role>, InspectError> {
        let list = self.api.roles(Priority::Later, GuildId(guild)).await?;
        let mut list: Vec<Role> = list.into_iter().map(Role::from).collect();
        list.sort_by_key(|r| (std::cmp::Reverse(r.position), r.id));
        Ok(list)
    }

    /// A member's roles; `None` when they are not a member.
    pub async fn member_roles(
        &self,
        guild: u64,
        user: u64,
    ) -> Result<Option<Vec<u64>>, InspectError> {
        let roles = self
            .api
            .member_roles(Priority::Later, GuildId(guild), UserId(user))
            .await?;
        Ok(roles.map(|r| r.into_iter().map(|r| r.0).collect()))
    }

    /// The name a server shows for a member: the nickname, else the display name, else the
    /// username. `None` when they are not a member.
    pub async fn member_name(&self, guild: u64, user: u64) -> Result<Option<String>, InspectError> {
        let member = self
            .api
            .member(Priority::Later, GuildId(guild), UserId(user))
            .await?;
        Ok(member.map(|m| {
            m.nick
                .filter(|n| !n.trim().is_empty())
                .or(m.user.global_name.filter(|n| !n.trim().is_empty()))
                .unwrap_or(m.user.name)
        }))
    }
}
