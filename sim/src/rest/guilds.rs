//! `/guilds/{id}`, its channels, roles and members.

use serde_json::Value;

use super::{Reply, Req};
use crate::payload::{channel_json, guild_create_json, member_json, role_json};
use crate::state::State;

/// Why a guild route cannot answer: an unknown guild, or one the bot is not in (Discord
/// answers 403 Missing Access for a guild that exists but is not the bot's).
fn refuse(st: &State, req: &Req) -> Option<Reply> {
    if req.id(1) != Some(st.world.guild.id) {
        return Some(Reply::error(404, 10004, "Unknown Guild"));
    }
    if !st.admin.bot_in_guild {
        return Some(Reply::error(403, 50001, "Missing Access"));
    }
    None
}

/// `GET /guilds/{id}`: the guild without the GUILD_CREATE-only fields.
pub fn get_guild(st: &State, req: &Req) -> Reply {
    if let Some(r) = refuse(st, req) {
        return r;
    }
    let mut g = guild_create_json(st);
    if let Some(o) = g.as_object_mut() {
        for k in [
            "joined_at",
            "large",
            "unavailable",
            "member_count",
            "voice_states",
            "members",
            "channels",
            "threads",
            "presences",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
            "lazy",
        ] {
            o.remove(k);
        }
        // Fields of the REST guild that GUILD_CREATE leaves out.
        o.insert("home_header".into(), Value::Null);
        o.insert("region".into(), Value::String("deprecated".into()));
        o.insert("nsfw".into(), Value::Bool(false));
    }
    Reply::ok(g)
}

/// `GET /guilds/{id}/channels`
pub fn get_channels(st: &State, req: &Req) -> Reply {
    if let Some(r) = refuse(st, req) {
        return r;
    }
    let list: Vec<Value> = st
        .world
        .guild
        .channels
        .iter()
        .map(|c| channel_json(st, c))
        .collect();
    Reply::ok(Value::Array(list))
}

/// `GET /guilds/{id}/roles`
pub fn get_roles(st: &State, req: &Req) -> Reply {
    if let Some(r) = refuse(st, req) {
        return r;
    }
    Reply::ok(Value::Array(
        st.world
            .guild
            .roles
            .iter()
            .map(|r| role_json(&st.world, r))
            .collect(),
    ))
}

/// `GET /guilds/{id}/members/{user}`
pub fn get_member(st: &State, req: &Req) -> Reply {
    if let Some(r) = refuse(st, req) {
        return r;
    }
    let member = req
        .id(3)
        .and_then(|id| st.world.members().find(|u| u.id == id));
    match member {
        Some(u) => Reply::ok(member_json(&st.world, u)),
        None => Reply::error(404, 10007, "Unknown Member"),
    }
}
