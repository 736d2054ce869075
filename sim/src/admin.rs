//! What a server administrator or the Developer Portal can change under the bot: channel
//! permission overwrites, the application's message-content intent, the bot's membership, a
//! reset token. `frontdesk setup` and `doctor` read these; tests change them to make each
//! problem `doctor` reports.

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Value};

use crate::snowflake::id_str;
use crate::world::World;
pub use crate::world::{OverwriteFor, SimOverwrite};

/// `GATEWAY_MESSAGE_CONTENT_LIMITED`: the intent flag of an application under 100 servers
/// whose owner switched it on in the Developer Portal.
pub const MESSAGE_CONTENT_LIMITED_FLAG: u64 = 1 << 19;

#[derive(Debug)]
pub struct Admin {
    /// Channel → its overwrites, in the order they were added.
    pub overwrites: BTreeMap<u64, Vec<SimOverwrite>>,
    /// The application's `flags` (`GET /applications/@me`).
    pub application_flags: u64,
    /// Whether the bot has joined the world's guild (`false`: invited nowhere yet).
    pub bot_in_guild: bool,
    /// Tokens that were reset: REST answers them 401.
    pub rejected_tokens: HashSet<String>,
}

impl Admin {
    /// The world's own overwrites (a private channel's), nothing changed yet.
    pub fn new(world: &World, message_content_allowed: bool) -> Admin {
        Admin {
            overwrites: world
                .guild
                .channels
                .iter()
                .filter(|c| !c.permission_overwrites.is_empty())
                .map(|c| (c.id, c.permission_overwrites.clone()))
                .collect(),
            application_flags: if message_content_allowed {
                MESSAGE_CONTENT_LIMITED_FLAG
            } else {
                0
            },
            bot_in_guild: true,
            rejected_tokens: HashSet::new(),
        }
    }

    /// Adds `allow`/`deny` to the channel's overwrite for `target`, as editing it in the
    /// channel's settings does (one overwrite per role or member).
    pub fn overwrite(&mut self, channel: u64, target: OverwriteFor, allow: u64, deny: u64) {
        let list = self.overwrites.entry(channel).or_default();
        match list.iter_mut().find(|o| o.target == target) {
            Some(o) => {
                o.allow = (o.allow | allow) & !deny;
                o.deny = (o.deny | deny) & !allow;
            }
            None => list.push(SimOverwrite {
                target,
                allow,
                deny,
            }),
        }
    }

    /// The message-content intent as the gateway enforces it.
    pub fn message_content_on(&self) -> bool {
        self.application_flags & (MESSAGE_CONTENT_LIMITED_FLAG | 1 << 18) != 0
    }

    /// A channel's `permission_overwrites` as Discord renders them.
    pub fn overwrites_json(&self, channel: u64) -> Value {
        let list = self.overwrites.get(&channel).map_or(&[][..], Vec::as_slice);
        Value::Array(
            list.iter()
                .map(|o| {
                    let (id, kind) = match o.target {
                        OverwriteFor::Role(id) => (id, 0),
                        OverwriteFor::Member(id) => (id, 1),
                    };
                    json!({"id": id_str(id), "type": kind,
                           "allow": o.allow.to_string(), "deny": o.deny.to_string()})
                })
                .collect(),
        )
    }

    /// The token of an `Authorization: Bot …` header, if it was reset.
    pub fn rejects(&self, authorization: Option<&str>) -> bool {
        authorization
            .map(|h| h.strip_prefix("Bot ").unwrap_or(h).trim())
            .is_some_and(|t| self.rejected_tokens.contains(t))
    }
}
