//! `/users/...`: the bot's own user and guilds, other users, and DM channel creation.

use super::{Reply, Req};
use serde_json::{json, Value};

use crate::payload::{channel_json, current_user_json, permissions_of, user_json};
use crate::snowflake::as_id;
use crate::state::State;

/// `GET /users/@me`
pub fn get_current_user(st: &State) -> Reply {
    Reply::ok(current_user_json(&st.world.bot))
}

/// `GET /users/@me/guilds`: the guilds the bot is in (a partial guild each).
pub fn get_current_user_guilds(st: &State) -> Reply {
    if !st.admin.bot_in_guild {
        return Reply::ok(json!([]));
    }
    let g = &st.world.guild;
    Reply::ok(Value::Array(vec![json!({
        "id": crate::snowflake::id_str(g.id),
        "name": g.name,
        "icon": null,
        "banner": null,
        "owner": g.owner_id == st.world.bot.id,
        "permissions": permissions_of(&st.world, &st.world.bot).to_string(),
        "features": [],
    })]))
}

/// `GET /users/{id}`
pub fn get_user(st: &State, req: &Req) -> Reply {
    match req.id(1).and_then(|id| st.world.user(id)) {
        Some(u) => Reply::ok(user_json(u)),
        None => Reply::error(404, 10013, "Unknown User"),
    }
}

/// `POST /users/@me/channels {"recipient_id"}`: the DM channel with a user (created once).
pub fn create_dm(st: &mut State, req: &Req) -> Reply {
    let Some(user) = req.body_field("recipient_id").and_then(as_id) else {
        return Reply::invalid_form(
            "recipient_id",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        );
    };
    if st.world.user(user).is_none() {
        return Reply::invalid_form("recipient_id", "NUMBER_TYPE_COERCE", "Unknown user");
    }
    let id = st.dm_channel(user);
    match st.channels.get(&id) {
        Some(c) => Reply::ok(channel_json(st, c)),
        None => Reply::unknown_channel(),
    }
}
