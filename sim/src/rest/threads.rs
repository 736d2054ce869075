//! Threads: from a message, standalone (public/private), forum posts by the bot, and the
//! active-thread listing.

use serde_json::{json, Value};

use super::messages::{validate, Draft};
use super::{Reply, Req};
use crate::message::SimMessage;
use crate::payload::{channel_json, message_json};
use crate::state::State;
use crate::world::ChannelKind;

fn thread_name(req: &Req) -> Result<String, Reply> {
    match req.body_field("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() && n.chars().count() <= 100 => Ok(n.to_string()),
        Some(_) => Err(Reply::invalid_form(
            "name",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        )),
        None => Err(Reply::invalid_form(
            "name",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        )),
    }
}

/// `POST /channels/{id}/messages/{id}/threads`: a public thread whose id is the message id.
pub fn create_from_message(st: &mut State, req: &Req) -> Reply {
    let Some(parent) = req.id(1).and_then(|id| st.channels.get(&id)).cloned() else {
        return Reply::unknown_channel();
    };
    if parent.kind != ChannelKind::Text {
        return Reply::error(400, 50024, "Cannot execute action on this channel type");
    }
    let Some(msg_id) = req
        .id(3)
        .filter(|id| st.message(*id).is_some_and(|m| m.channel_id == parent.id))
    else {
        return Reply::unknown_message();
    };
    if st.channels.contains_key(&msg_id) {
        return Reply::error(
            400,
            160004,
            "A thread has already been created for this message",
        );
    }
    let name = match thread_name(req) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let bot = st.bot_id();
    st.new_thread(msg_id, parent.id, &name, ChannelKind::PublicThread, bot);
    st.dispatch_thread_create(msg_id);
    thread_reply(st, msg_id, None)
}

/// `POST /channels/{id}/threads`: in a text channel a thread without a starter message
/// (private unless `type` says 11); in a forum a post with its starter message.
pub fn create(st: &mut State, req: &Req) -> Reply {
    let Some(parent) = req.id(1).and_then(|id| st.channels.get(&id)).cloned() else {
        return Reply::unknown_channel();
    };
    let name = match thread_name(req) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let bot = st.bot_id();
    match parent.kind {
        ChannelKind::Text => {
            let kind = match req.body_field("type").and_then(Value::as_u64) {
                Some(11) => ChannelKind::PublicThread,
                Some(12) | None => ChannelKind::PrivateThread,
                Some(_) => {
                    return Reply::invalid_form(
                        "type",
                        "BASE_TYPE_CHOICES",
                        "Value must be 11 or 12.",
                    );
                }
            };
            let id = st.ids.next();
            st.new_thread(id, parent.id, &name, kind, bot);
            st.dispatch_thread_create(id);
            thread_reply(st, id, None)
        }
        ChannelKind::Forum => {
            let Some(body) = req.body_field("message").cloned() else {
                return Reply::invalid_form(
                    "message",
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                );
            };
            let id = st.ids.next();
            let draft: Draft = match validate(st, id, Some(&body), true) {
                Ok(d) => d,
                Err(r) => return r,
            };
            st.new_thread(id, parent.id, &name, ChannelKind::PublicThread, bot);
            let guild = st.guild_of(id);
            let mut m = SimMessage::new(id, id, guild, bot, "");
            draft.apply(&mut m);
            st.dispatch_thread_create(id);
            st.insert_message(m);
            thread_reply(st, id, Some(id))
        }
        _ => Reply::error(400, 50024, "Cannot execute action on this channel type"),
    }
}

fn thread_reply(st: &State, thread: u64, starter: Option<u64>) -> Reply {
    let Some(c) = st.channels.get(&thread) else {
        return Reply::unknown_channel();
    };
    let mut v = channel_json(st, c);
    if let (Some(o), Some(m)) = (v.as_object_mut(), starter.and_then(|id| st.message(id))) {
        o.insert("message".into(), message_json(st, m, false));
    }
    Reply::created(v)
}

/// `GET /guilds/{id}/threads/active`: newest first.
pub fn list_active(st: &State, req: &Req) -> Reply {
    if req.id(1) != Some(st.world.guild.id) {
        return Reply::error(404, 10004, "Unknown Guild");
    }
    let mut threads: Vec<Value> = st.threads().map(|c| channel_json(st, c)).collect();
    threads.reverse();
    Reply::ok(json!({"threads": threads, "members": []}))
}
