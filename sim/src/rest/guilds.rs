//! `/guilds/{id}`, its channels and members.

use serde_json::Value;

use super::{Reply, Req};
use crate::payload::{channel_json, guild_create_json, member_json};
use crate::state::State;

fn known_guild(st: &State, req: &Req) -> bool {
    req.id(1) == Some(st.world.guild.id)
}

fn unknown_guild() -> Reply {
    Reply::error(404, 10004, "Unknown Guild")
}

/// `GET /guilds/{id}`: the guild without the GUILD_CREATE-only fields.
pub fn get_guild(st: &State, req: &Req) -> Reply {
    if !known_guild(st, req) {
        return unknown_guild();
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
    }
    Reply::ok(g)
}

/// `GET /guilds/{id}/channels`
pub fn get_channels(st: &State, req: &Req) -> Reply {
    if !known_guild(st, req) {
        return unknown_guild();
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

/// `GET /guilds/{id}/members/{user}`
pub fn get_member(st: &State, req: &Req) -> Reply {
    if !known_guild(st, req) {
        return unknown_guild();
    }
    let member = req
        .id(3)
        .and_then(|id| st.world.members().find(|u| u.id == id));
    match member {
        Some(u) => Reply::ok(member_json(&st.world, u)),
        None => Reply::error(404, 10007, "Unknown Member"),
    }
}
