//! `/channels/{id}/messages[/{id}]`: list, get, create, edit, delete, plus the validation
//! of message bodies shared with interaction responses and webhooks.

use serde_json::{json, Value};

use super::{Reply, Req};
use crate::attachment::{self, SimAttachment};
use crate::message::SimMessage;
use crate::payload::message_json;
use crate::session::Event;
use crate::snowflake::{as_id, id_str, iso_now};
use crate::state::State;
use crate::world::ChannelKind;
use crate::Inner;

/// Discord's content limit, counted in characters (serenity counts `chars()` too).
pub const CONTENT_LIMIT: usize = 2000;

/// A validated message body.
#[derive(Debug, Default)]
pub struct Draft {
    pub content: Option<String>,
    pub embeds: Option<Vec<Value>>,
    pub components: Option<Vec<Value>>,
    pub allowed_mentions: Option<Value>,
    pub message_reference: Option<Value>,
    pub nonce: Option<Value>,
    pub enforce_nonce: bool,
    pub flags: u64,
    /// The message's attachments after this body, when it changes them.
    pub attachments: Option<Vec<SimAttachment>>,
}

impl Draft {
    fn is_empty(&self, body: &Value) -> bool {
        let has = |k: &str| {
            body.get(k)
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        };
        self.content.as_deref().unwrap_or("").is_empty()
            && self.embeds.as_ref().is_none_or(Vec::is_empty)
            && self.components.as_ref().is_none_or(Vec::is_empty)
            && !has("sticker_ids")
            && !has("attachments")
            && body.get("poll").is_none()
    }

    /// Applies the draft to a message being created or edited.
    pub fn apply(self, m: &mut SimMessage) {
        if let Some(c) = &self.content {
            m.set_content(c);
        }
        if let Some(e) = self.embeds {
            m.embeds = e;
        }
        if let Some(c) = self.components {
            m.components = c;
        }
        if self.allowed_mentions.is_some() {
            m.allowed_mentions = self.allowed_mentions;
        }
        if self.message_reference.is_some() {
            m.kind = 19;
            m.message_reference = self.message_reference;
        }
        if self.nonce.is_some() {
            m.nonce = self.nonce;
        }
        m.flags |= self.flags;
        if let Some(a) = self.attachments {
            m.attachments = a;
        }
    }
}

/// Validates a message body as Discord does (content length, emptiness, allowed_mentions,
/// message_reference). `creating`: emptiness is checked only for new messages.
pub fn validate(
    st: &State,
    channel: u64,
    body: Option<&Value>,
    creating: bool,
) -> Result<Draft, Reply> {
    let empty = json!({});
    let body = body.unwrap_or(&empty);
    if !body.is_object() {
        return Err(Reply::error(
            400,
            50109,
            "The request body contains invalid JSON.",
        ));
    }
    let mut d = Draft::default();
    match body.get("content") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            if s.chars().count() > CONTENT_LIMIT {
                return Err(Reply::invalid_form(
                    "content",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 2000 or fewer in length.",
                ));
            }
            d.content = Some(s.clone());
        }
        Some(_) => {
            return Err(Reply::invalid_form(
                "content",
                "BASE_TYPE_STRING",
                "Must be a string.",
            ));
        }
    }
    if let Some(e) = body.get("embeds").and_then(Value::as_array) {
        if e.len() > 10 {
            return Err(Reply::invalid_form(
                "embeds",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 10 or fewer in length.",
            ));
        }
        d.embeds = Some(e.clone());
    }
    if let Some(c) = body.get("components").and_then(Value::as_array) {
        d.components = Some(c.clone());
    }
    if let Some(am) = body.get("allowed_mentions").filter(|v| !v.is_null()) {
        validate_allowed_mentions(am)?;
        d.allowed_mentions = Some(am.clone());
    }
    if let Some(r) = body.get("message_reference").filter(|v| !v.is_null()) {
        d.message_reference = resolve_reference(st, channel, r)?;
    }
    match body.get("nonce") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.chars().count() <= 25 => d.nonce = Some(json!(s)),
        Some(Value::Number(n)) => d.nonce = Some(Value::Number(n.clone())),
        Some(_) => {
            return Err(Reply::invalid_form(
                "nonce",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.",
            ));
        }
    }
    d.enforce_nonce = body
        .get("enforce_nonce")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // Only flags a client may set: SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS.
    d.flags = body.get("flags").and_then(Value::as_u64).unwrap_or(0) & (4 | 64 | 4096);
    if creating && d.is_empty(body) {
        return Err(Reply::error(400, 50006, "Cannot send an empty message"));
    }
    Ok(d)
}

/// [`validate`] for a body that may come with files (`multipart/form-data`): also resolves
/// its attachments against the uploads and the message's `existing` ones, and keeps their
/// bytes for `GET /attachments/...`. A new message with files needs no other content.
pub fn validate_upload(
    st: &mut State,
    channel: u64,
    req: &Req,
    body: Option<&Value>,
    creating: bool,
    existing: &[SimAttachment],
) -> Result<Draft, Reply> {
    let mut draft = validate(st, channel, body, creating && req.files.is_empty())?;
    let origin = &req.origin;
    let list = attachment::requested(
        body,
        &req.files,
        existing,
        || st.ids.next(),
        |id, name| format!("{origin}/attachments/{channel}/{id}/{name}"),
    )?;
    for a in list.iter().flatten() {
        st.attachments.insert(a.id, (channel, a.clone()));
    }
    draft.attachments = list;
    Ok(draft)
}

/// `parse` may not name a type whose id list is also given.
fn validate_allowed_mentions(am: &Value) -> Result<(), Reply> {
    let parse: Vec<&str> = am
        .get("parse")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for p in &parse {
        if !matches!(*p, "users" | "roles" | "everyone") {
            return Err(Reply::invalid_form(
                "allowed_mentions",
                "BASE_TYPE_CHOICES",
                &format!("Value '{p}' is not one of ('everyone', 'users', 'roles')."),
            ));
        }
    }
    for kind in ["users", "roles"] {
        let listed = am.get(kind).and_then(Value::as_array).map_or(0, Vec::len);
        if listed > 100 {
            return Err(Reply::invalid_form(
                "allowed_mentions",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 100 or fewer in length.",
            ));
        }
        if listed > 0 && parse.contains(&kind) {
            return Err(Reply::invalid_form(
                "allowed_mentions",
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                &format!("parse:[\"{kind}\"] and {kind}: [ids...] are mutually exclusive."),
            ));
        }
    }
    Ok(())
}

/// Checks a reply target. Unknown target: 400 unless `fail_if_not_exists` is false, in which
/// case the message is sent as a plain message (as Discord does).
fn resolve_reference(st: &State, channel: u64, r: &Value) -> Result<Option<Value>, Reply> {
    let target = r.get("message_id").and_then(as_id);
    let fail = r
        .get("fail_if_not_exists")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let found = target.and_then(|id| st.message(id)).filter(|m| {
        let ref_channel = r.get("channel_id").and_then(as_id).unwrap_or(channel);
        m.channel_id == ref_channel
    });
    match found {
        Some(m) => {
            let mut v = json!({
                "type": 0,
                "message_id": id_str(m.id),
                "channel_id": id_str(m.channel_id),
            });
            if let (Some(o), Some(g)) = (v.as_object_mut(), m.guild_id) {
                o.insert("guild_id".into(), id_str(g));
            }
            if let (Some(o), false) = (v.as_object_mut(), fail) {
                o.insert("fail_if_not_exists".into(), json!(false));
            }
            Ok(Some(v))
        }
        None if !fail => Ok(None),
        None => Err(Reply::invalid_form(
            "message_reference",
            "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
            "Unknown message",
        )),
    }
}

/// `GET /channels/{id}/messages?before|after|around&limit`: newest first, counted in the
/// channel's history window (a bucket apart from posting there).
pub fn list(st: &mut State, req: &Req) -> Reply {
    let Some(channel) = req.id(1).filter(|id| st.channels.contains_key(id)) else {
        return Reply::unknown_channel();
    };
    let decision = st.rate.check_history(channel, req.now);
    let headers = decision.as_ref().map(|d| d.headers()).unwrap_or_default();
    if let Some(d) = decision.filter(|d| !d.allowed) {
        return Reply::rate_limited(d.reset_after.as_secs_f64()).with_headers(headers);
    }
    read_history(st, req, channel).with_headers(headers)
}

fn read_history(st: &State, req: &Req, channel: u64) -> Reply {
    let limit = match req.query.get("limit").map(|l| l.parse::<usize>()) {
        None => 50,
        Some(Ok(l)) if (1..=100).contains(&l) => l,
        Some(_) => {
            return Reply::invalid_form(
                "limit",
                "NUMBER_TYPE_MAX",
                "Int should be between 1 and 100.",
            );
        }
    };
    let q = |k: &str| req.query.get(k).and_then(|v| v.parse::<u64>().ok());
    let history: &[SimMessage] = st.history.get(&channel).map_or(&[], Vec::as_slice);
    let picked: Vec<&SimMessage> = if let Some(before) = q("before") {
        let older: Vec<&SimMessage> = history.iter().filter(|m| m.id < before).collect();
        older.into_iter().rev().take(limit).collect()
    } else if let Some(after) = q("after") {
        let mut newer: Vec<&SimMessage> = history
            .iter()
            .filter(|m| m.id > after)
            .take(limit)
            .collect();
        newer.reverse();
        newer
    } else if let Some(around) = q("around") {
        let half = limit / 2;
        let older: Vec<&SimMessage> = history.iter().filter(|m| m.id < around).collect();
        let start = older.len().saturating_sub(half);
        let mut window: Vec<&SimMessage> = history.iter().skip(start).take(limit).collect();
        window.reverse();
        window
    } else {
        history.iter().rev().take(limit).collect()
    };
    Reply::ok(Value::Array(
        picked
            .into_iter()
            .map(|m| message_json(st, m, false))
            .collect(),
    ))
}

/// `GET /channels/{id}/messages/{id}`
pub fn get(st: &State, req: &Req) -> Reply {
    if !req.id(1).is_some_and(|id| st.channels.contains_key(&id)) {
        return Reply::unknown_channel();
    }
    match req
        .id(3)
        .and_then(|id| st.message(id))
        .filter(|m| Some(m.channel_id) == req.id(1))
    {
        Some(m) => Reply::ok(message_json(st, m, false)),
        None => Reply::unknown_message(),
    }
}

/// `POST /channels/{id}/messages`: the bot sends a message.
pub fn create(inner: &Inner, st: &mut State, req: &Req) -> Reply {
    let Some(channel_id) = req.id(1) else {
        return Reply::unknown_channel();
    };
    let decision = st.rate.check(channel_id, req.now);
    let headers = decision.as_ref().map(|d| d.headers()).unwrap_or_default();
    if let Some(d) = decision.filter(|d| !d.allowed) {
        return Reply::rate_limited(d.reset_after.as_secs_f64()).with_headers(headers);
    }
    create_checked(inner, st, req, channel_id).with_headers(headers)
}

fn create_checked(inner: &Inner, st: &mut State, req: &Req, channel_id: u64) -> Reply {
    let Some(channel) = st.channels.get(&channel_id).cloned() else {
        return Reply::unknown_channel();
    };
    if channel.kind == ChannelKind::Forum {
        return Reply::error(400, 40058, "Cannot send messages in a forum channel");
    }
    if let Some(r) = channel.recipient.filter(|r| st.dm_blocked.contains(r)) {
        tracing::debug!(user = r, "DM blocked");
        return Reply::error(403, 50007, "Cannot send messages to this user");
    }
    let draft = match validate_upload(st, channel_id, req, req.body.as_ref(), true, &[]) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let bot = st.bot_id();
    if let (Some(nonce), true) = (&draft.nonce, draft.enforce_nonce) {
        let key = (bot, nonce.to_string());
        let window = inner.cfg.nonce_window;
        if let Some((existing, at)) = st.nonces.get(&key).copied() {
            if req.now.duration_since(at) <= window {
                if let Some(m) = st.message(existing) {
                    tracing::debug!(
                        id = existing,
                        "nonce matched, returning the existing message"
                    );
                    return Reply::ok(message_json(st, m, false));
                }
            }
        }
        let id = post_bot_message(st, channel_id, draft);
        st.nonces.insert(key, (id, req.now));
        return reply_with(st, id);
    }
    let id = post_bot_message(st, channel_id, draft);
    reply_with(st, id)
}

fn reply_with(st: &State, id: u64) -> Reply {
    match st.message(id) {
        Some(m) => Reply::ok(message_json(st, m, false)),
        None => Reply::unknown_message(),
    }
}

/// Stores a bot message built from a draft and dispatches it back to the bot.
pub fn post_bot_message(st: &mut State, channel_id: u64, draft: Draft) -> u64 {
    let id = st.ids.next();
    let bot = st.bot_id();
    let guild = st.guild_of(channel_id);
    let mut m = SimMessage::new(id, channel_id, guild, bot, "");
    draft.apply(&mut m);
    st.insert_message(m);
    id
}

/// `PATCH /channels/{id}/messages/{id}`: only the bot's own messages.
pub fn edit(st: &mut State, req: &Req) -> Reply {
    let Some(channel_id) = req.id(1).filter(|id| st.channels.contains_key(id)) else {
        return Reply::unknown_channel();
    };
    let Some(msg) = req
        .id(3)
        .and_then(|id| st.message(id))
        .filter(|m| m.channel_id == channel_id)
    else {
        return Reply::unknown_message();
    };
    if msg.author_id != st.bot_id() {
        return Reply::error(403, 50005, "Cannot edit a message authored by another user");
    }
    let id = msg.id;
    let existing = msg.attachments.clone();
    let draft = match validate_upload(st, channel_id, req, req.body.as_ref(), false, &existing) {
        Ok(d) => d,
        Err(r) => return r,
    };
    edit_message(st, id, draft);
    reply_with(st, id)
}

/// Applies an edit and dispatches MESSAGE_UPDATE.
pub fn edit_message(st: &mut State, id: u64, mut draft: Draft) {
    // An edit never turns a message into a reply.
    draft.message_reference = None;
    let Some(m) = st.message_mut(id) else { return };
    draft.apply(m);
    m.edited_timestamp = Some(iso_now());
    let snapshot = m.clone();
    let payload = message_json(st, &snapshot, true);
    let mut event = Event::message_create(&snapshot, payload, st.bot_id());
    event.name = "MESSAGE_UPDATE";
    st.dispatch(event);
}

/// `DELETE /channels/{id}/messages/{id}`
pub fn delete(st: &mut State, req: &Req) -> Reply {
    let Some(channel_id) = req.id(1).filter(|id| st.channels.contains_key(id)) else {
        return Reply::unknown_channel();
    };
    let Some(id) = req
        .id(3)
        .filter(|id| st.message(*id).is_some_and(|m| m.channel_id == channel_id))
    else {
        return Reply::unknown_message();
    };
    if let Some(h) = st.history.get_mut(&channel_id) {
        h.retain(|m| m.id != id);
    }
    st.message_channel.remove(&id);
    let mut data = json!({"id": id_str(id), "channel_id": id_str(channel_id)});
    let guild = st.guild_of(channel_id);
    if let (Some(o), Some(g)) = (data.as_object_mut(), guild) {
        o.insert("guild_id".into(), id_str(g));
    }
    let intent = if guild.is_some() {
        crate::session::intents::GUILD_MESSAGES
    } else {
        crate::session::intents::DIRECT_MESSAGES
    };
    st.dispatch(Event::new("MESSAGE_DELETE", data, Some(intent)));
    Reply::no_content()
}
