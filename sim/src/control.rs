//! Control endpoints under `/_sim/` so a script can drive a standalone simulator
//! (`frontdesk sim --port P`): act as people and read what the bot did. Not recorded as
//! REST requests.

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::snowflake::{as_id, id_str};
use crate::{Inner, Simulator};

pub fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route("/_sim/messages", post(post_message))
        .route("/_sim/dms", post(post_dm))
        .route("/_sim/forum_posts", post(post_forum_post))
        .route("/_sim/commands", post(post_command))
        .route("/_sim/buttons", post(post_button))
        .route("/_sim/requests", get(get_requests))
        .route("/_sim/channels/:id/messages", get(get_channel_messages))
        .route("/_sim/world", get(get_world))
        .route("/_sim/overwrites", post(post_overwrite))
        .route("/_sim/intent", post(post_intent))
        .route("/_sim/roles/:id/delete", post(post_role_delete))
}

fn sim(inner: Arc<Inner>) -> Simulator {
    Simulator { inner }
}

fn bad(what: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": what}))).into_response()
}

fn created(id: u64) -> Response {
    (StatusCode::OK, Json(json!({"id": id_str(id)}))).into_response()
}

fn field_id(body: &Value, key: &str) -> Option<u64> {
    body.get(key).and_then(as_id)
}

fn field_str<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// `POST /_sim/messages {"author","channel","content","reply_to"?}`
async fn post_message(AxState(inner): AxState<Arc<Inner>>, Json(b): Json<Value>) -> Response {
    let (Some(author), Some(channel), Some(content)) = (
        field_id(&b, "author"),
        field_id(&b, "channel"),
        field_str(&b, "content"),
    ) else {
        return bad("need author, channel, content");
    };
    let s = sim(inner);
    let id = match field_id(&b, "reply_to") {
        Some(to) => s.post_reply(author, channel, content, to).await,
        None => s.post_message(author, channel, content).await,
    };
    created(id)
}

/// `POST /_sim/dms {"author","content"}`
async fn post_dm(AxState(inner): AxState<Arc<Inner>>, Json(b): Json<Value>) -> Response {
    let (Some(author), Some(content)) = (field_id(&b, "author"), field_str(&b, "content")) else {
        return bad("need author, content");
    };
    created(sim(inner).send_dm(author, content).await)
}

/// `POST /_sim/forum_posts {"author","forum","title","content"}`
async fn post_forum_post(AxState(inner): AxState<Arc<Inner>>, Json(b): Json<Value>) -> Response {
    let (Some(author), Some(forum), Some(title), Some(content)) = (
        field_id(&b, "author"),
        field_id(&b, "forum"),
        field_str(&b, "title"),
        field_str(&b, "content"),
    ) else {
        return bad("need author, forum, title, content");
    };
    created(
        sim(inner)
            .create_forum_post(author, forum, title, content)
            .await,
    )
}

/// `POST /_sim/commands {"user","channel","name","options"?}`
async fn post_command(AxState(inner): AxState<Arc<Inner>>, Json(b): Json<Value>) -> Response {
    let (Some(user), Some(channel), Some(name)) = (
        field_id(&b, "user"),
        field_id(&b, "channel"),
        field_str(&b, "name"),
    ) else {
        return bad("need user, channel, name");
    };
    let options = b.get("options").cloned().unwrap_or(json!([]));
    created(
        sim(inner)
            .invoke_command(user, channel, name, options)
            .await,
    )
}

/// `POST /_sim/buttons {"user","channel","message","custom_id"}`
async fn post_button(AxState(inner): AxState<Arc<Inner>>, Json(b): Json<Value>) -> Response {
    let (Some(user), Some(channel), Some(message), Some(custom_id)) = (
        field_id(&b, "user"),
        field_id(&b, "channel"),
        field_id(&b, "message"),
        field_str(&b, "custom_id"),
    ) else {
        return bad("need user, channel, message, custom_id");
    };
    created(
        sim(inner)
            .click_button(user, channel, message, custom_id)
            .await,
    )
}

/// `GET /_sim/requests`: every recorded REST request.
async fn get_requests(AxState(inner): AxState<Arc<Inner>>) -> Response {
    Json(json!(sim(inner).requests())).into_response()
}

/// `GET /_sim/channels/{id}/messages`: the channel's history, oldest first.
async fn get_channel_messages(
    AxState(inner): AxState<Arc<Inner>>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return bad("channel id must be a snowflake");
    };
    Json(json!(sim(inner).messages_in(id))).into_response()
}

/// `GET /_sim/world`: the ids a script needs.
async fn get_world(AxState(inner): AxState<Arc<Inner>>) -> Response {
    let s = sim(inner);
    let w = s.world();
    Json(json!({
        "guild": {"id": id_str(w.guild.id), "name": w.guild.name,
                  "channels": w.guild.channels.iter().map(|c| json!({"id": id_str(c.id), "name": c.name, "type": c.kind.code()})).collect::<Vec<_>>()},
        "bot": id_str(w.bot.id),
        "application": id_str(s.application_id()),
        "users": w.users.iter().map(|u| json!({"id": id_str(u.id), "name": u.name})).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// `POST /_sim/overwrites {"channel", "role" | "member", "allow"?, "deny"?}` (bits as numbers
/// or strings): a channel permission overwrite.
async fn post_overwrite(AxState(inner): AxState<Arc<Inner>>, Json(b): Json<Value>) -> Response {
    let target = match (field_id(&b, "role"), field_id(&b, "member")) {
        (Some(r), None) => crate::OverwriteFor::Role(r),
        (None, Some(m)) => crate::OverwriteFor::Member(m),
        _ => return bad("need channel and one of role, member"),
    };
    let Some(channel) = field_id(&b, "channel") else {
        return bad("need channel and one of role, member");
    };
    let bits = |k: &str| field_id(&b, k).unwrap_or(0);
    sim(inner).set_channel_overwrite(channel, target, bits("allow"), bits("deny"));
    (StatusCode::OK, Json(json!({}))).into_response()
}

/// `POST /_sim/intent {"message_content": bool}`: the Developer Portal's toggle.
async fn post_intent(AxState(inner): AxState<Arc<Inner>>, Json(b): Json<Value>) -> Response {
    let Some(on) = b.get("message_content").and_then(Value::as_bool) else {
        return bad("need message_content: true or false");
    };
    sim(inner).set_message_content_intent(on);
    (StatusCode::OK, Json(json!({}))).into_response()
}

/// `POST /_sim/roles/{id}/delete`: deletes a role.
async fn post_role_delete(AxState(inner): AxState<Arc<Inner>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return bad("role id must be a snowflake");
    };
    sim(inner).remove_role(id);
    (StatusCode::OK, Json(json!({}))).into_response()
}
