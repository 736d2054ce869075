//! Discord JSON shapes (API v10) for users, members, roles, channels, guilds, messages and
//! interactions. Every shape here is checked against serenity's models in the tests, because
//! serenity silently drops gateway events it cannot deserialize.

use serde_json::{json, Value};

use crate::message::SimMessage;
use crate::snowflake::{id_str, iso_of_snowflake};
use crate::state::State;
use crate::world::{ChannelKind, SimChannel, SimGuild, SimUser, World};

fn ids(list: &[u64]) -> Value {
    Value::Array(list.iter().map(|i| id_str(*i)).collect())
}

pub fn user_json(u: &SimUser) -> Value {
    json!({
        "id": id_str(u.id),
        "username": u.name,
        "discriminator": "0",
        "global_name": if u.bot {
            Value::Null
        } else {
            Value::String(u.display_name.clone().unwrap_or_else(|| u.name.clone()))
        },
        "avatar": null,
        "bot": u.bot,
        "system": false,
        "public_flags": 0,
        "flags": 0,
        "banner": null,
        "accent_color": null,
        "avatar_decoration_data": null,
        "primary_guild": null,
    })
}

/// The user object a user sees for themself (`GET /users/@me`, READY).
pub fn current_user_json(u: &SimUser) -> Value {
    let mut v = user_json(u);
    if let Some(o) = v.as_object_mut() {
        o.insert("verified".into(), json!(true));
        o.insert("mfa_enabled".into(), json!(false));
        o.insert("locale".into(), json!("en-US"));
        o.insert("email".into(), Value::Null);
        o.insert("premium_type".into(), json!(0));
    }
    v
}

/// Guild members all "joined" when the guild was created.
fn joined_at(guild: &SimGuild) -> String {
    iso_of_snowflake(guild.id)
}

/// A member without `user` (as embedded in MESSAGE_CREATE).
pub fn partial_member_json(world: &World, u: &SimUser) -> Value {
    json!({
        "roles": ids(&u.roles),
        "nick": u.nick,
        "avatar": null,
        "joined_at": joined_at(&world.guild),
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
    })
}

pub fn member_json(world: &World, u: &SimUser) -> Value {
    let mut v = partial_member_json(world, u);
    if let Some(o) = v.as_object_mut() {
        o.insert("user".into(), user_json(u));
        o.insert("banner".into(), Value::Null);
    }
    v
}

/// Effective guild permissions of a member: @everyone plus their roles; the owner has all.
pub fn permissions_of(world: &World, u: &SimUser) -> u64 {
    if u.id == world.guild.owner_id {
        return (1u64 << 51) - 1;
    }
    world
        .guild
        .roles
        .iter()
        .filter(|r| r.id == world.guild.id || u.roles.contains(&r.id))
        .fold(0, |acc, r| acc | r.permissions)
}

/// A role. The bot's own role (held by the bot and nobody else) is `managed`, with the bot's
/// id in its tags, as Discord renders the role it makes for an invited bot.
pub fn role_json(world: &World, r: &crate::world::SimRole) -> Value {
    let bots_own =
        world.bot.roles.contains(&r.id) && !world.users.iter().any(|u| u.roles.contains(&r.id));
    let mut v = json!({
        "id": id_str(r.id),
        "name": r.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": r.position,
        "permissions": r.permissions.to_string(),
        "managed": bots_own,
        "mentionable": false,
        "flags": 0,
    });
    if let (true, Some(o)) = (bots_own, v.as_object_mut()) {
        o.insert("tags".into(), json!({"bot_id": id_str(world.bot.id)}));
    }
    v
}

pub fn channel_json(state: &State, c: &SimChannel) -> Value {
    let last_message_id = state
        .last_message_id(c.id)
        .map(id_str)
        .unwrap_or(Value::Null);
    if c.kind == ChannelKind::Dm {
        let recipients: Vec<Value> = c
            .recipient
            .and_then(|r| state.world.user(r))
            .map(user_json)
            .into_iter()
            .collect();
        return json!({
            "id": id_str(c.id),
            "type": c.kind.code(),
            "last_message_id": last_message_id,
            "flags": 0,
            "recipients": recipients,
        });
    }
    let mut v = json!({
        "id": id_str(c.id),
        "type": c.kind.code(),
        "guild_id": c.guild_id.map(id_str),
        "name": c.name,
        "position": c.position,
        "permission_overwrites": state.admin.overwrites_json(c.id),
        "parent_id": c.parent_id.map(id_str),
        "nsfw": false,
        "last_message_id": last_message_id,
        "rate_limit_per_user": 0,
        "flags": 0,
    });
    let Some(o) = v.as_object_mut() else {
        return v;
    };
    match c.kind {
        ChannelKind::Text => {
            o.insert("topic".into(), json!(c.topic));
            o.insert("default_auto_archive_duration".into(), json!(4320));
        }
        ChannelKind::Forum => {
            let tags: Vec<Value> = c
                .available_tags
                .iter()
                .map(|t| {
                    json!({"id": id_str(t.id), "name": t.name, "moderated": false,
                           "emoji_id": null, "emoji_name": null})
                })
                .collect();
            o.insert("topic".into(), json!(c.topic));
            o.insert("available_tags".into(), Value::Array(tags));
            o.insert("default_reaction_emoji".into(), Value::Null);
            o.insert("default_thread_rate_limit_per_user".into(), json!(0));
            o.insert("default_sort_order".into(), Value::Null);
            o.insert("default_forum_layout".into(), json!(0));
            o.insert("default_auto_archive_duration".into(), json!(4320));
        }
        ChannelKind::PublicThread | ChannelKind::PrivateThread => {
            let count = state.history.get(&c.id).map_or(0, Vec::len);
            let created = iso_of_snowflake(c.id);
            o.insert("owner_id".into(), json!(c.owner_id.map(id_str)));
            o.insert("message_count".into(), json!(count));
            o.insert("total_message_sent".into(), json!(count));
            o.insert("member_count".into(), json!(1));
            o.insert("applied_tags".into(), json!([]));
            o.insert(
                "thread_metadata".into(),
                json!({
                    "archived": false,
                    "auto_archive_duration": 4320,
                    "archive_timestamp": created,
                    "locked": false,
                    "create_timestamp": created,
                    "invitable": c.kind == ChannelKind::PrivateThread,
                }),
            );
        }
        ChannelKind::Dm => {}
    }
    v
}

/// GUILD_CREATE's payload: the full guild with channels, active threads, roles and members.
pub fn guild_create_json(state: &State) -> Value {
    let world = &state.world;
    let g = &world.guild;
    let channels: Vec<Value> = g.channels.iter().map(|c| channel_json(state, c)).collect();
    let threads: Vec<Value> = state.threads().map(|c| channel_json(state, c)).collect();
    let members: Vec<Value> = world.members().map(|u| member_json(world, u)).collect();
    let mut guild = json!({
        "id": id_str(g.id),
        "name": g.name,
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": id_str(g.owner_id),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "roles": g.roles.iter().map(|r| role_json(world, r)).collect::<Vec<_>>(),
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_presences": null,
        "max_members": 500000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
        "incidents_data": null,
    });
    // GUILD_CREATE-only fields (split in two literals: one is too deep for `json!`).
    let extra = json!({
        "joined_at": joined_at(g),
        "large": false,
        "unavailable": false,
        "member_count": members.len(),
        "voice_states": [],
        "members": members,
        "channels": channels,
        "threads": threads,
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "lazy": true,
    });
    if let (Some(o), Value::Object(e)) = (guild.as_object_mut(), extra) {
        o.extend(e);
    }
    guild
}

/// A message as Discord renders it. `gateway` adds `guild_id` and `member`, which only
/// gateway MESSAGE_CREATE carries.
pub fn message_json(state: &State, m: &SimMessage, gateway: bool) -> Value {
    let world = &state.world;
    let author = world
        .user(m.author_id)
        .cloned()
        .unwrap_or_else(|| SimUser::new(m.author_id, "unknown-user"));
    let mentions: Vec<Value> = m
        .mentions
        .iter()
        .filter_map(|id| world.user(*id))
        .map(user_json)
        .collect();
    let referenced = m
        .reply_to()
        .and_then(|id| state.message(id))
        .map(|r| message_json(state, r, false));
    let mut v = json!({
        "id": id_str(m.id),
        "channel_id": id_str(m.channel_id),
        "author": user_json(&author),
        "content": m.content,
        "timestamp": m.timestamp,
        "edited_timestamp": m.edited_timestamp,
        "tts": false,
        "mention_everyone": m.mention_everyone,
        "mentions": mentions,
        "mention_roles": ids(&m.mention_roles),
        "attachments": m.attachments.iter().map(crate::SimAttachment::json).collect::<Vec<_>>(),
        "embeds": m.embeds,
        "pinned": false,
        "type": m.kind,
        "flags": m.flags,
        "components": m.components,
    });
    let Some(o) = v.as_object_mut() else {
        return v;
    };
    if let Some(n) = &m.nonce {
        o.insert("nonce".into(), n.clone());
    }
    if let Some(r) = &m.message_reference {
        o.insert("message_reference".into(), r.clone());
        o.insert(
            "referenced_message".into(),
            referenced.unwrap_or(Value::Null),
        );
    }
    if let Some(w) = m.webhook_id {
        o.insert("webhook_id".into(), id_str(w));
    }
    if let Some(a) = m.application_id {
        o.insert("application_id".into(), id_str(a));
    }
    if let Some(i) = m.interaction_id.and_then(|i| state.interactions.get(&i)) {
        o.insert(
            "interaction_metadata".into(),
            json!({
                "id": id_str(i.id),
                "type": i.kind,
                "user": world.user(i.user).map(user_json),
                "authorizing_integration_owners": {},
            }),
        );
    }
    // Thread starter messages in text channels carry the thread they started.
    if let Some(thread) = state.channels.get(&m.id).filter(|c| c.kind.is_thread()) {
        if thread.parent_id == Some(m.channel_id) {
            o.insert("thread".into(), channel_json(state, thread));
        }
    }
    if gateway {
        if let Some(g) = m.guild_id {
            o.insert("guild_id".into(), id_str(g));
            if !author.bot || author.id == world.bot.id {
                o.insert("member".into(), partial_member_json(world, &author));
            }
        }
    }
    v
}

/// A partial channel as embedded in interactions.
fn partial_channel_json(state: &State, channel: u64) -> Value {
    match state.channels.get(&channel) {
        Some(c) => {
            let mut v = json!({"id": id_str(c.id), "type": c.kind.code()});
            if let Some(o) = v.as_object_mut() {
                if c.kind != ChannelKind::Dm {
                    o.insert("name".into(), json!(c.name));
                    o.insert("guild_id".into(), json!(c.guild_id.map(id_str)));
                    o.insert("parent_id".into(), json!(c.parent_id.map(id_str)));
                }
            }
            v
        }
        None => json!({"id": id_str(channel), "type": 0}),
    }
}

/// The parts every interaction has: who, where, token, context.
pub fn interaction_base_json(state: &State, i: &crate::state::InteractionRec) -> Value {
    let world = &state.world;
    let user = world
        .user(i.user)
        .cloned()
        .unwrap_or_else(|| SimUser::new(i.user, "unknown-user"));
    let in_guild = i.guild_id.is_some();
    let bot_perms = permissions_of(world, &world.bot);
    let mut v = json!({
        "id": id_str(i.id),
        "application_id": id_str(state.application_id),
        "type": i.kind,
        "channel": partial_channel_json(state, i.channel),
        "channel_id": id_str(i.channel),
        "token": i.token,
        "version": 1,
        "app_permissions": bot_perms.to_string(),
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": if in_guild {
            json!({"0": i.guild_id.map(id_str)})
        } else {
            json!({"1": id_str(user.id)})
        },
        "context": if in_guild { 0 } else { 1 },
        "attachment_size_limit": 26_214_400,
    });
    if let Some(o) = v.as_object_mut() {
        if let Some(g) = i.guild_id {
            let mut member = member_json(world, &user);
            if let Some(mo) = member.as_object_mut() {
                mo.insert(
                    "permissions".into(),
                    json!(permissions_of(world, &user).to_string()),
                );
            }
            o.insert("guild_id".into(), id_str(g));
            o.insert("guild_locale".into(), json!("en-US"));
            o.insert("member".into(), member);
        } else {
            o.insert("user".into(), user_json(&user));
        }
    }
    v
}
