//! `/applications/...`: the current application and global / guild command registration.

use serde_json::{json, Value};

use super::{Reply, Req};
use crate::payload::user_json;
use crate::snowflake::id_str;
use crate::state::State;

/// `GET /applications/@me` and `GET /oauth2/applications/@me`
pub fn get_current(st: &State) -> Reply {
    let owner = st
        .world
        .user(st.world.guild.owner_id)
        .map(user_json)
        .unwrap_or(Value::Null);
    let flags = st.admin.application_flags;
    Reply::ok(json!({
        "id": id_str(st.application_id),
        "name": st.world.bot.name,
        "icon": null,
        "description": "",
        "rpc_origins": [],
        "bot_public": false,
        "bot_require_code_grant": false,
        "owner": owner,
        "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
        "team": null,
        "flags": flags,
        "flags_new": flags.to_string(),
        "type": null,
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "approximate_guild_count": u8::from(st.admin.bot_in_guild),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "eligible_oauth2_scopes": [],
        "bot": user_json(&st.world.bot),
    }))
}

/// Fills in what Discord adds to a registered command; keeps the id of a same-named command.
fn register(
    st: &mut State,
    existing: &[Value],
    cmd: &Value,
    guild: Option<u64>,
) -> Result<Value, Reply> {
    let Some(name) = cmd.get("name").and_then(Value::as_str) else {
        return Err(Reply::invalid_form(
            "name",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        ));
    };
    let kind = cmd.get("type").and_then(Value::as_u64).unwrap_or(1);
    let id = existing
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|c| c.get("id").cloned())
        .unwrap_or_else(|| id_str(st.ids.next()));
    let mut out = cmd.clone();
    let Some(o) = out.as_object_mut() else {
        return Err(Reply::error(
            400,
            50109,
            "The request body contains invalid JSON.",
        ));
    };
    o.insert("id".into(), id);
    o.insert("type".into(), json!(kind));
    o.insert("application_id".into(), id_str(st.application_id));
    o.insert("version".into(), id_str(st.ids.next()));
    o.entry("description").or_insert(json!(""));
    o.entry("default_member_permissions").or_insert(Value::Null);
    o.entry("nsfw").or_insert(json!(false));
    if let Some(g) = guild {
        o.insert("guild_id".into(), id_str(g));
    }
    Ok(out)
}

fn overwrite(st: &mut State, req: &Req, guild: Option<u64>) -> Result<Vec<Value>, Reply> {
    let Some(list) = req.body.as_ref().and_then(Value::as_array).cloned() else {
        return Err(Reply::error(
            400,
            50109,
            "The request body contains invalid JSON.",
        ));
    };
    let existing = commands(st, guild).to_vec();
    let mut out = Vec::new();
    for cmd in &list {
        out.push(register(st, &existing, cmd, guild)?);
    }
    Ok(out)
}

fn upsert(st: &mut State, req: &Req, guild: Option<u64>) -> Result<Value, Reply> {
    let body = req.body.clone().unwrap_or(Value::Null);
    let mut list = commands(st, guild).to_vec();
    let cmd = register(st, &list, &body, guild)?;
    list.retain(|c| c.get("name") != cmd.get("name"));
    list.push(cmd.clone());
    store(st, guild, list);
    Ok(cmd)
}

fn commands(st: &State, guild: Option<u64>) -> &[Value] {
    match guild {
        None => &st.global_commands,
        Some(g) => st.guild_commands.get(&g).map_or(&[], Vec::as_slice),
    }
}

fn store(st: &mut State, guild: Option<u64>, list: Vec<Value>) {
    match guild {
        None => st.global_commands = list,
        Some(g) => {
            st.guild_commands.insert(g, list);
        }
    }
}

fn check_app(st: &State, req: &Req) -> Result<(), Reply> {
    if req.id(1) == Some(st.application_id) {
        Ok(())
    } else {
        Err(Reply::error(404, 10002, "Unknown Application"))
    }
}

fn check_guild(st: &State, req: &Req) -> Result<u64, Reply> {
    check_app(st, req)?;
    match req.id(3) {
        Some(g) if g == st.world.guild.id => Ok(g),
        _ => Err(Reply::error(404, 10004, "Unknown Guild")),
    }
}

/// `GET /applications/{app}/commands`
pub fn list_global(st: &State, req: &Req) -> Reply {
    match check_app(st, req) {
        Ok(()) => Reply::ok(Value::Array(st.global_commands.clone())),
        Err(r) => r,
    }
}

/// `PUT /applications/{app}/commands`: bulk overwrite.
pub fn overwrite_global(st: &mut State, req: &Req) -> Reply {
    let result = check_app(st, req).and_then(|()| overwrite(st, req, None));
    match result {
        Ok(list) => {
            st.global_commands = list.clone();
            Reply::ok(Value::Array(list))
        }
        Err(r) => r,
    }
}

/// `POST /applications/{app}/commands`: upsert by name.
pub fn upsert_global(st: &mut State, req: &Req) -> Reply {
    match check_app(st, req).and_then(|()| upsert(st, req, None)) {
        Ok(cmd) => Reply::created(cmd),
        Err(r) => r,
    }
}

/// `GET /applications/{app}/guilds/{guild}/commands`
pub fn list_guild(st: &State, req: &Req) -> Reply {
    match check_guild(st, req) {
        Ok(g) => Reply::ok(Value::Array(commands(st, Some(g)).to_vec())),
        Err(r) => r,
    }
}

/// `PUT /applications/{app}/guilds/{guild}/commands`: bulk overwrite.
pub fn overwrite_guild(st: &mut State, req: &Req) -> Reply {
    let result = check_guild(st, req).and_then(|g| overwrite(st, req, Some(g)).map(|l| (g, l)));
    match result {
        Ok((g, list)) => {
            store(st, Some(g), list.clone());
            Reply::ok(Value::Array(list))
        }
        Err(r) => r,
    }
}

/// `POST /applications/{app}/guilds/{guild}/commands`: upsert by name.
pub fn upsert_guild(st: &mut State, req: &Req) -> Reply {
    match check_guild(st, req).and_then(|g| upsert(st, req, Some(g))) {
        Ok(cmd) => Reply::created(cmd),
        Err(r) => r,
    }
}
