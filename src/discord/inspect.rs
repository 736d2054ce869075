//! Reads what `setup` and `doctor` need to know about the bot and its server over REST: who
//! the token belongs to, the application's flags, the servers the bot is in, and a server's
//! channels (with their permission overwrites), roles and members. Read only: nothing here
//! changes anything on Discord.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, USER_AGENT};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::config::Secret;
use crate::core::permissions::{Overwrite, OverwriteTarget};

/// Discord's API when no other is configured.
pub const DISCORD_API: &str = "https://discord.com";

/// A failed read.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("Discord refused the bot token (401 Unauthorized)\n  fix: copy a fresh token from the Developer Portal (your application → Bot → Reset Token) into DISCORD_TOKEN or the token file")]
    Unauthorized,
    #[error("GET {route}: Discord answered {status}: {message}")]
    Refused {
        route: String,
        status: u16,
        message: String,
    },
    #[error("GET {route}: {reason}\n  fix: check the network connection (or the address given with --discord-api / `api`)")]
    Unreachable { route: String, reason: String },
    #[error("GET {route}: unexpected answer: {reason}")]
    Decode { route: String, reason: String },
}

impl InspectError {
    /// A 404, or a 403 for a server the bot is not in.
    fn is_absent(&self) -> bool {
        matches!(
            self,
            InspectError::Refused {
                status: 403 | 404,
                ..
            }
        )
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct User {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    pub username: String,
    #[serde(default)]
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

#[derive(Clone, Debug, Deserialize)]
pub struct Application {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    pub name: String,
    #[serde(default)]
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
#[derive(Clone, Debug, Deserialize)]
pub struct GuildSummary {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Guild {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    pub name: String,
    #[serde(deserialize_with = "snowflake")]
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

#[derive(Clone, Debug, Deserialize)]
pub struct Channel {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: u8,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub position: i64,
    #[serde(default)]
    permission_overwrites: Vec<RawOverwrite>,
}

#[derive(Clone, Debug, Deserialize)]
struct RawOverwrite {
    #[serde(deserialize_with = "snowflake")]
    id: u64,
    #[serde(rename = "type")]
    kind: u8,
    #[serde(deserialize_with = "snowflake")]
    allow: u64,
    #[serde(deserialize_with = "snowflake")]
    deny: u64,
}

impl Channel {
    pub fn overwrites(&self) -> Vec<Overwrite> {
        self.permission_overwrites
            .iter()
            .map(|o| Overwrite {
                target: if o.kind == 1 {
                    OverwriteTarget::Member(o.id)
                } else {
                    OverwriteTarget::Role(o.id)
                },
                allow: o.allow,
                deny: o.deny,
            })
            .collect()
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Role {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    pub name: String,
    #[serde(deserialize_with = "snowflake")]
    pub permissions: u64,
    #[serde(default)]
    pub position: i64,
    #[serde(default)]
    pub managed: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Member {
    #[serde(default)]
    pub user: Option<User>,
    /// The server nickname.
    #[serde(default)]
    pub nick: Option<String>,
    #[serde(default, deserialize_with = "snowflakes")]
    pub roles: Vec<u64>,
}

impl Member {
    /// The name the server shows: the nickname, else the display name, else the username.
    pub fn display_name(&self) -> Option<&str> {
        self.nick
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| self.user.as_ref().map(User::display_name))
    }
}

/// Ids and permission bits are decimal strings on the wire (numbers are accepted too).
fn snowflake<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        S(String),
        N(u64),
    }
    match Id::deserialize(d)? {
        Id::N(n) => Ok(n),
        Id::S(s) => s.parse().map_err(serde::de::Error::custom),
    }
}

fn snowflakes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "snowflake")] u64);
    Ok(Vec::<W>::deserialize(d)?.into_iter().map(|w| w.0).collect())
}

/// A read-only REST client for one token.
pub struct Inspector {
    client: reqwest::Client,
    base: String,
    auth: Secret,
}

impl Inspector {
    /// `api`: a Discord-compatible base URL (`None`: discord.com).
    pub fn new(api: Option<&str>, token: &Secret) -> Result<Inspector, InspectError> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| InspectError::Unreachable {
                route: "(client)".into(),
                reason: e.to_string(),
            })?;
        Ok(Inspector {
            client,
            base: api.unwrap_or(DISCORD_API).trim_end_matches('/').to_string(),
            auth: Secret::new(format!("Bot {}", token.expose())),
        })
    }

    async fn get<T: DeserializeOwned>(&self, route: &str) -> Result<T, InspectError> {
        let url = format!("{}/api/v10{route}", self.base);
        let resp = self
            .client
            .get(&url)
            .header(AUTHORIZATION, self.auth.expose())
            .header(
                USER_AGENT,
                concat!("DiscordBot (frontdesk, ", env!("CARGO_PKG_VERSION"), ")"),
            )
            .send()
            .await
            .map_err(|e| InspectError::Unreachable {
                route: route.to_string(),
                reason: if e.is_timeout() {
                    "timed out".into()
                } else if e.is_connect() {
                    "could not connect".into()
                } else {
                    "transport error".into()
                },
            })?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| InspectError::Unreachable {
            route: route.to_string(),
            reason: e.to_string(),
        })?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(InspectError::Unauthorized);
        }
        if !status.is_success() {
            let message = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| status.to_string());
            return Err(InspectError::Refused {
                route: route.to_string(),
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| InspectError::Decode {
            route: route.to_string(),
            reason: e.to_string(),
        })
    }

    /// `GET /users/@me`: the bot user; [`InspectError::Unauthorized`] for a bad token.
    pub async fn me(&self) -> Result<User, InspectError> {
        self.get("/users/@me").await
    }

    /// `GET /applications/@me`
    pub async fn application(&self) -> Result<Application, InspectError> {
        self.get("/applications/@me").await
    }

    /// `GET /users/@me/guilds`: the servers the bot is in (the first 200, plenty for a bot
    /// that serves one business).
    pub async fn guilds(&self) -> Result<Vec<GuildSummary>, InspectError> {
        self.get("/users/@me/guilds").await
    }

    /// `GET /guilds/{id}`; `None` when it does not exist or the bot is not in it.
    pub async fn guild(&self, id: u64) -> Result<Option<Guild>, InspectError> {
        absent_as_none(self.get(&format!("/guilds/{id}")).await)
    }

    /// `GET /guilds/{id}/channels`, in the order the server shows them.
    pub async fn channels(&self, guild: u64) -> Result<Vec<Channel>, InspectError> {
        let mut list: Vec<Channel> = self.get(&format!("/guilds/{guild}/channels")).await?;
        list.sort_by_key(|c| (c.position, c.id));
        Ok(list)
    }

    /// `GET /guilds/{id}/roles`, highest first, as the server settings list them.
    pub async fn roles(&self, guild: u64) -> Result<Vec<Role>, InspectError> {
        let mut list: Vec<Role> = self.get(&format!("/guilds/{guild}/roles")).await?;
        list.sort_by_key(|r| (std::cmp::Reverse(r.position), r.id));
        Ok(list)
    }

    /// `GET /guilds/{id}/members/{user}`; `None` when they are not a member.
    pub async fn member(&self, guild: u64, user: u64) -> Result<Option<Member>, InspectError> {
        absent_as_none(self.get(&format!("/guilds/{guild}/members/{user}")).await)
    }
}

fn absent_as_none<T>(r: Result<T, InspectError>) -> Result<Option<T>, InspectError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_absent() => Ok(None),
        Err(e) => Err(e),
    }
}
