//! Plain data every layer speaks: Discord ids, where a message was posted, who wrote it.
//!
//! Nothing here knows serenity or sled; the adapter converts into these types and the store
//! converts out of them, so the core can be tested with literals.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! snowflake {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }

        // Snowflakes exceed 2^53, so they travel as strings (as Discord sends them) to stay
        // exact in JSON readers such as JavaScript or spreadsheets.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(Deserialize)]
                #[serde(untagged)]
                enum Raw {
                    Text(String),
                    Number(u64),
                }
                match Raw::deserialize(d)? {
                    Raw::Number(n) => Ok($name(n)),
                    Raw::Text(t) => t.parse().map_err(|_| {
                        serde::de::Error::custom(format!("{t:?} is not a Discord id (a number such as \"1234567890123456789\")"))
                    }),
                }
            }
        }
    };
}

snowflake!(
    /// A Discord user.
    UserId
);
snowflake!(
    /// A text channel, forum, thread or DM channel.
    ChannelId
);
snowflake!(
    /// A message; a forum post's starter message has the id of its thread.
    MessageId
);
snowflake!(
    /// A server.
    GuildId
);
snowflake!(
    /// A server role.
    RoleId
);

/// Discord's epoch (2015-01-01T00:00:00Z) in unix milliseconds.
pub const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

impl MessageId {
    /// When Discord created the message: snowflakes carry their own timestamp.
    pub fn created_at(self) -> Timestamp {
        let ms = (self.0 >> 22) as i64 + DISCORD_EPOCH_MS;
        Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// The smallest id Discord could have given a message created at `at`; used as an
    /// `after=` cursor when a channel has no checkpoint yet.
    pub fn first_at(at: Timestamp) -> MessageId {
        let ms = (at.as_millisecond() - DISCORD_EPOCH_MS).max(0) as u64;
        MessageId(ms << 22)
    }
}

/// Where a customer wrote.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// A watched text channel, or a thread frontdesk opened on a message there.
    Channel {
        guild: GuildId,
        channel: ChannelId,
        /// Set when the message was posted in a thread under the channel.
        thread: Option<ChannelId>,
    },
    /// A post (thread) in a watched forum channel.
    Forum {
        guild: GuildId,
        forum: ChannelId,
        post: ChannelId,
    },
    /// The customer's direct-message channel with the bot.
    Dm { channel: ChannelId },
}

impl Place {
    /// The channel a message here was actually posted in (thread, post or DM channel).
    pub fn channel(&self) -> ChannelId {
        match *self {
            Place::Channel {
                channel, thread, ..
            } => thread.unwrap_or(channel),
            Place::Forum { post, .. } => post,
            Place::Dm { channel } => channel,
        }
    }

    pub fn guild(&self) -> Option<GuildId> {
        match *self {
            Place::Channel { guild, .. } | Place::Forum { guild, .. } => Some(guild),
            Place::Dm { .. } => None,
        }
    }

    /// The kind of place, as written in a rule's `where`.
    pub fn kind(&self) -> PlaceKind {
        match self {
            Place::Channel { .. } => PlaceKind::Channel,
            Place::Forum { .. } => PlaceKind::Forum,
            Place::Dm { .. } => PlaceKind::Dm,
        }
    }

    /// A link that opens the message in the Discord client.
    pub fn jump_link(&self, message: MessageId) -> String {
        let guild = self
            .guild()
            .map_or_else(|| "@me".to_string(), |g| g.to_string());
        format!(
            "https://discord.com/channels/{guild}/{}/{message}",
            self.channel()
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PlaceKind {
    Channel,
    Forum,
    Dm,
}

/// Who wrote a message of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Customer,
    Staff,
    /// frontdesk's own acknowledgement or closing message.
    Frontdesk,
    /// A staff member's internal note: never sent to the customer, never a reply.
    Note,
}

/// The author of a message as Discord describes it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Author {
    pub id: UserId,
    /// Display name (server nickname, global name or username), for texts that must not ping.
    pub name: String,
    pub bot: bool,
    /// Roles in the server the message came from; empty in DMs.
    #[serde(default)]
    pub roles: Vec<RoleId>,
}

/// One message as it reached frontdesk, from the gateway or from history catch-up.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Incoming {
    pub id: MessageId,
    pub place: Place,
    pub author: Author,
    /// `None` when Discord withheld it (no message-content intent); `Some("")` is an empty message.
    pub content: Option<String>,
    /// The message this one replies to, if any.
    pub reply_to: Option<MessageId>,
    pub at: Timestamp,
    /// A forum post's tag names (forum posts only).
    pub tags: Vec<String>,
}
