//! Which watched place a Discord message belongs to, and the translation of serenity's
//! `Message` into the core's [`Incoming`].
//!
//! serenity's `Message` does not say whether its channel is a thread, nor of which channel,
//! so frontdesk keeps a thread → parent map fed by GUILD_CREATE and THREAD_CREATE, with a
//! `GET /channels/{id}` fallback for threads it has not seen (events arrive in any order).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jiff::Timestamp;
use serenity::all as dc;

use super::api::Api;
use super::pace::Priority;
use crate::config::Watch;
use crate::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, RoleId, UserId};
use crate::names::ChannelNames;
use crate::sync::RwLockExt;

#[derive(Clone, Debug, Default)]
struct ThreadInfo {
    parent: u64,
    tags: Vec<String>,
}

pub struct Places {
    watch: Watch,
    /// Whether Discord sends message text in guild channels (the privileged intent).
    message_content: bool,
    threads: RwLock<HashMap<u64, ThreadInfo>>,
    /// Forum id → tag id → tag name.
    forum_tags: RwLock<HashMap<u64, HashMap<u64, String>>>,
    /// Channel (or thread) → its guild: history answers do not carry `guild_id`.
    guild_of: RwLock<HashMap<u64, u64>>,
    /// (guild, user) → roles, for messages read from history, which carry no member.
    roles: RwLock<HashMap<(u64, u64), Vec<RoleId>>>,
    /// Every channel's and thread's name, for the web page.
    names: Arc<ChannelNames>,
}

impl Places {
    pub fn new(watch: Watch, message_content: bool, names: Arc<ChannelNames>) -> Places {
        Places {
            watch,
            message_content,
            threads: RwLock::new(HashMap::new()),
            forum_tags: RwLock::new(HashMap::new()),
            guild_of: RwLock::new(HashMap::new()),
            roles: RwLock::new(HashMap::new()),
            names,
        }
    }

    pub fn watch(&self) -> &Watch {
        &self.watch
    }

    pub fn learn_guild(&self, guild: &dc::Guild) {
        for channel in guild.channels.values() {
            self.learn_channel(channel);
        }
        for thread in &guild.threads {
            self.learn_channel(thread);
        }
    }

    pub fn learn_channel(&self, channel: &dc::GuildChannel) {
        self.names.set(ChannelId(channel.id.get()), &channel.name);
        self.guild_of
            .writing()
            .insert(channel.id.get(), channel.guild_id.get());
        if !channel.available_tags.is_empty() {
            let tags = channel
                .available_tags
                .iter()
                .map(|t| (t.id.get(), t.name.clone()))
                .collect();
            self.forum_tags.writing().insert(channel.id.get(), tags);
        }
        if channel.thread_metadata.is_some() {
            if let Some(parent) = channel.parent_id {
                let names = self.forum_tags.reading();
                let tags = channel
                    .applied_tags
                    .iter()
                    .filter_map(|t| {
                        names
                            .get(&parent.get())
                            .and_then(|m| m.get(&t.get()))
                            .cloned()
                    })
                    .collect();
                drop(names);
                self.threads.writing().insert(
                    channel.id.get(),
                    ThreadInfo {
                        parent: parent.get(),
                        tags,
                    },
                );
            }
        }
    }

    /// A channel or thread deleted: its name is gone with it.
    pub fn forget_channel(&self, channel: u64) {
        self.names.forget(ChannelId(channel));
    }

    /// The guilds frontdesk has seen channels of.
    pub fn guilds(&self) -> Vec<GuildId> {
        let mut g: Vec<u64> = self.guild_of.reading().values().copied().collect();
        g.sort_unstable();
        g.dedup();
        g.into_iter().map(GuildId).collect()
    }

    pub fn guild_of(&self, channel: u64) -> Option<u64> {
        self.guild_of.reading().get(&channel).copied()
    }

    /// Whether a thread's parent is a watched channel or forum.
    pub fn is_watched_thread(&self, thread: u64) -> bool {
        self.thread(thread).is_some_and(|t| {
            self.watch.channels.contains(&ChannelId(t.parent))
                || self.watch.forums.contains(&ChannelId(t.parent))
        })
    }

    /// A member's roles, asked of Discord once and remembered (history and DMs carry no
    /// member data, and staff are told apart by role).
    pub async fn member_roles(
        &self,
        api: &Api,
        priority: Priority,
        guild: u64,
        user: u64,
    ) -> Vec<RoleId> {
        if let Some(r) = self.roles.reading().get(&(guild, user)) {
            return r.clone();
        }
        self.lookup_roles(api, priority, guild, user).await
    }

    /// [`Places::member_roles`] asked of Discord now, not remembered: for a decision that
    /// must see a role just taken away (a staff command).
    pub async fn lookup_roles(
        &self,
        api: &Api,
        priority: Priority,
        guild: u64,
        user: u64,
    ) -> Vec<RoleId> {
        match api
            .member_roles(priority, GuildId(guild), UserId(user))
            .await
        {
            Ok(Some(roles)) => {
                self.roles.writing().insert((guild, user), roles.clone());
                roles
            }
            // A member who left has no roles; treating them as a customer is right.
            Ok(None) => Vec::new(),
            Err(e) => {
                tracing::warn!(guild, user, error = %e, "member lookup failed; treated as no role");
                Vec::new()
            }
        }
    }

    fn thread(&self, id: u64) -> Option<ThreadInfo> {
        self.threads.reading().get(&id).cloned()
    }

    /// The watched place of a message, or `None` if frontdesk does not watch where it was
    /// posted.
    pub async fn place_of(
        &self,
        api: &Api,
        priority: Priority,
        msg: &dc::Message,
    ) -> Option<(Place, Vec<String>)> {
        let channel = msg.channel_id.get();
        let Some(guild) = msg.guild_id.map(|g| GuildId(g.get())) else {
            return self.watch.dms.then_some((
                Place::Dm {
                    channel: ChannelId(channel),
                },
                Vec::new(),
            ));
        };
        if self.watch.channels.contains(&ChannelId(channel)) {
            return Some((
                Place::Channel {
                    guild,
                    channel: ChannelId(channel),
                    thread: None,
                },
                Vec::new(),
            ));
        }
        let info = match self.thread(channel) {
            Some(info) => info,
            None => {
                // Not a thread we know: ask Discord once, then remember the answer.
                match api.channel(priority, ChannelId(channel)).await {
                    Ok(dc::Channel::Guild(c)) if c.thread_metadata.is_some() => {
                        self.learn_channel(&c);
                        self.thread(channel)?
                    }
                    Ok(_) => return None,
                    Err(e) => {
                        tracing::warn!(channel, error = %e, "could not look up a channel; message not handled");
                        return None;
                    }
                }
            }
        };
        let parent = ChannelId(info.parent);
        if self.watch.channels.contains(&parent) {
            Some((
                Place::Channel {
                    guild,
                    channel: parent,
                    thread: Some(ChannelId(channel)),
                },
                Vec::new(),
            ))
        } else if self.watch.forums.contains(&parent) {
            Some((
                Place::Forum {
                    guild,
                    forum: parent,
                    post: ChannelId(channel),
                },
                info.tags,
            ))
        } else {
            None
        }
    }

    /// Translates a message from a watched place.
    pub fn incoming(
        &self,
        msg: &dc::Message,
        place: Place,
        tags: Vec<String>,
        me: UserId,
        at: Timestamp,
        known_roles: &[RoleId],
    ) -> Incoming {
        // Without the intent Discord blanks guild message text, except in DMs and where the
        // bot is mentioned; an empty string there means "withheld", not "empty".
        let visible = self.message_content
            || matches!(place, Place::Dm { .. })
            || msg.mentions.iter().any(|u| u.id.get() == me.0);
        let mut roles = role_ids(msg.member.as_ref().map(|m| m.roles.as_slice()));
        if roles.is_empty() {
            roles = known_roles.to_vec();
        }
        let name = display_name(
            msg.member.as_ref().and_then(|m| m.nick.as_deref()),
            &msg.author,
        );
        Incoming {
            id: MessageId(msg.id.get()),
            place,
            author: Author {
                id: UserId(msg.author.id.get()),
                name,
                bot: msg.author.bot || msg.webhook_id.is_some(),
                roles,
            },
            content: visible.then(|| msg.content.clone()),
            reply_to: reply_target(msg, me),
            at,
            tags,
        }
    }
}

/// Role ids as the core sees them; no member data (a DM, or history) means no roles.
pub(super) fn role_ids(roles: Option<&[dc::RoleId]>) -> Vec<RoleId> {
    roles
        .unwrap_or_default()
        .iter()
        .map(|r| RoleId(r.get()))
        .collect()
}

/// The message a reply answers. A reply to a merged acknowledgement answers one of the
/// customers it names, not frontdesk: the one the reply mentions, if exactly one. Otherwise it
/// cannot be told which, and the reply answers none of them (their conversations stay
/// waiting, the safe side) rather than whichever conversation recorded the message last.
fn reply_target(msg: &dc::Message, me: UserId) -> Option<MessageId> {
    let replied = msg
        .message_reference
        .as_ref()
        .and_then(|r| r.message_id)
        .map(|m| MessageId(m.get()))?;
    let Some(original) = msg.referenced_message.as_deref() else {
        return Some(replied);
    };
    if original.author.id.get() != me.0 {
        return Some(replied);
    }
    let lines = super::outbound::merged_lines(&original.content, original.channel_id.get());
    if lines.len() < 2 {
        return Some(replied);
    }
    let mut named = lines
        .iter()
        .filter(|(customer, _)| msg.mentions.iter().any(|u| u.id.get() == customer.0))
        .map(|(_, message)| *message);
    match (named.next(), named.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The name people see for someone: their server nickname, else their display name, else
/// their username.
pub fn display_name(nick: Option<&str>, user: &dc::User) -> String {
    nick.map(str::to_string)
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone())
}
