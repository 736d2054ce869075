//! Acting as people: posting messages, replies, forum posts and DMs, invoking commands and
//! clicking buttons. Each stores what a person would see and dispatches the gateway events.

use std::time::Instant;

use serde_json::{json, Value};

use crate::message::SimMessage;
use crate::payload::{interaction_base_json, message_json, partial_member_json, user_json};
use crate::session::Event;
use crate::snowflake::id_str;
use crate::state::{InteractionRec, State};
use crate::world::ChannelKind;
use crate::Simulator;

impl Simulator {
    /// `author` posts `content` in a channel or thread. Returns the message id.
    pub async fn post_message(&self, author: u64, channel: u64, content: &str) -> u64 {
        self.post(author, channel, content, None)
    }

    /// `author` replies to message `reply_to` (type 19 with a `message_reference`).
    pub async fn post_reply(&self, author: u64, channel: u64, content: &str, reply_to: u64) -> u64 {
        self.post(author, channel, content, Some(reply_to))
    }

    fn post(&self, author: u64, channel: u64, content: &str, reply_to: Option<u64>) -> u64 {
        let id = {
            let mut st = self.inner.lock();
            if !st.channels.contains_key(&channel) {
                tracing::warn!(
                    channel,
                    "post_message into a channel the simulator does not know"
                );
            }
            let id = st.ids.next();
            let guild = st.guild_of(channel);
            let mut m = SimMessage::new(id, channel, guild, author, content);
            if let Some(target) = reply_to {
                m.kind = 19;
                let mut r =
                    json!({"type": 0, "message_id": id_str(target), "channel_id": id_str(channel)});
                if let (Some(o), Some(g)) = (r.as_object_mut(), guild) {
                    o.insert("guild_id".into(), id_str(g));
                }
                m.message_reference = Some(r);
            }
            st.insert_message(m);
            id
        };
        self.inner.bump();
        id
    }

    /// `author` opens a forum post: a public thread whose id equals its starter message id.
    /// Dispatches THREAD_CREATE (`newly_created`) then MESSAGE_CREATE in the thread.
    pub async fn create_forum_post(
        &self,
        author: u64,
        forum: u64,
        title: &str,
        content: &str,
    ) -> u64 {
        let id = {
            let mut st = self.inner.lock();
            if st.channels.get(&forum).map(|c| c.kind) != Some(ChannelKind::Forum) {
                tracing::warn!(
                    forum,
                    "create_forum_post into a channel that is not a forum"
                );
            }
            let id = st.ids.next();
            st.new_thread(id, forum, title, ChannelKind::PublicThread, author);
            let guild = st.guild_of(id);
            st.dispatch_thread_create(id);
            st.insert_message(SimMessage::new(id, id, guild, author, content));
            id
        };
        self.inner.bump();
        id
    }

    /// `author` writes to the bot in DM (the DM channel is created on first use).
    pub async fn send_dm(&self, author: u64, content: &str) -> u64 {
        let channel = self.inner.lock().dm_channel(author);
        self.post(author, channel, content, None)
    }

    /// `user` runs slash command `name` in `channel` (guild or DM context follows the
    /// channel). `options` is either Discord's option array or an object such as
    /// `{"for": "2h", "count": 3}`. Returns the interaction id.
    pub async fn invoke_command(&self, user: u64, channel: u64, name: &str, options: Value) -> u64 {
        let id = {
            let mut st = self.inner.lock();
            let guild = st.guild_of(channel);
            let rec = new_interaction(&mut st, 2, user, channel, guild, None);
            let command_id = command_id(&mut st, name, guild);
            let options = normalize_options(options);
            let resolved = resolved_users(&st, &options, guild.is_some());
            let mut data = json!({
                "id": command_id,
                "name": name,
                "type": 1,
                "options": options,
            });
            if let Some(o) = data.as_object_mut() {
                if let Some(g) = guild {
                    o.insert("guild_id".into(), id_str(g));
                }
                if let Some(r) = resolved {
                    o.insert("resolved".into(), r);
                }
            }
            dispatch_interaction(&mut st, &rec, data, None);
            rec.id
        };
        self.inner.bump();
        id
    }

    /// `user` is typing option `focused` of command `name` (the others as `options`, an
    /// object of name → value), which has `typed` so far: an APPLICATION_COMMAND_AUTOCOMPLETE
    /// interaction. Returns the interaction id; its answer's choices are in its responses.
    pub async fn type_option(
        &self,
        user: u64,
        channel: u64,
        name: &str,
        focused: &str,
        typed: &str,
    ) -> u64 {
        let id = {
            let mut st = self.inner.lock();
            let guild = st.guild_of(channel);
            let rec = new_interaction(&mut st, 4, user, channel, guild, None);
            let command_id = command_id(&mut st, name, guild);
            let mut data = json!({
                "id": command_id,
                "name": name,
                "type": 1,
                "options": [{"name": focused, "type": 3, "value": typed, "focused": true}],
            });
            if let (Some(o), Some(g)) = (data.as_object_mut(), guild) {
                o.insert("guild_id".into(), id_str(g));
            }
            dispatch_interaction(&mut st, &rec, data, None);
            rec.id
        };
        self.inner.bump();
        id
    }

    /// `user` clicks the button `custom_id` on `message`. Returns the interaction id.
    pub async fn click_button(
        &self,
        user: u64,
        channel: u64,
        message: u64,
        custom_id: &str,
    ) -> u64 {
        let id = {
            let mut st = self.inner.lock();
            let guild = st.guild_of(channel);
            let rec = new_interaction(&mut st, 3, user, channel, guild, Some(message));
            let data = json!({"custom_id": custom_id, "component_type": 2});
            let msg = st.any_message(message).map(|m| message_json(&st, m, false));
            if msg.is_none() {
                tracing::warn!(
                    message,
                    "click_button on a message the simulator does not know"
                );
            }
            dispatch_interaction(&mut st, &rec, data, msg);
            rec.id
        };
        self.inner.bump();
        id
    }
}

fn new_interaction(
    st: &mut State,
    kind: u8,
    user: u64,
    channel: u64,
    guild_id: Option<u64>,
    message: Option<u64>,
) -> InteractionRec {
    let id = st.ids.next();
    let token = format!("sim-interaction-token-{id:x}");
    let rec = InteractionRec {
        id,
        kind,
        token: token.clone(),
        user,
        channel,
        guild_id,
        created: Instant::now(),
        acknowledged: false,
        ephemeral: false,
        original_message: None,
        message,
        responses: Vec::new(),
    };
    st.interactions.insert(id, rec.clone());
    st.interaction_by_token.insert(token, id);
    rec
}

fn dispatch_interaction(st: &mut State, rec: &InteractionRec, data: Value, message: Option<Value>) {
    let mut payload = interaction_base_json(st, rec);
    if let Some(o) = payload.as_object_mut() {
        o.insert("data".into(), data);
        if let Some(m) = message {
            o.insert("message".into(), m);
        }
    }
    st.dispatch(Event::new("INTERACTION_CREATE", payload, None));
}

/// The registered command's id (guild commands first in a guild), or a fresh one.
fn command_id(st: &mut State, name: &str, guild: Option<u64>) -> Value {
    let registered = guild
        .and_then(|g| st.guild_commands.get(&g))
        .into_iter()
        .flatten()
        .chain(st.global_commands.iter())
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|c| c.get("id").cloned());
    registered.unwrap_or_else(|| id_str(st.ids.next()))
}

/// Discord's `resolved` for the user options (type 6) among `options`: each picked user, and
/// in a server their member (roles, nickname), as Discord resolves them for the bot.
fn resolved_users(st: &State, options: &Value, in_guild: bool) -> Option<Value> {
    let picked: Vec<&crate::world::SimUser> = options
        .as_array()?
        .iter()
        .filter(|o| o["type"] == json!(6))
        .filter_map(|o| o["value"].as_str()?.parse::<u64>().ok())
        .filter_map(|id| st.world.user(id))
        .collect();
    if picked.is_empty() {
        return None;
    }
    let users: serde_json::Map<String, Value> = picked
        .iter()
        .map(|u| (u.id.to_string(), user_json(u)))
        .collect();
    let mut resolved = json!({ "users": users });
    if in_guild {
        let members: serde_json::Map<String, Value> = picked
            .iter()
            .map(|u| (u.id.to_string(), partial_member_json(&st.world, u)))
            .collect();
        resolved["members"] = Value::Object(members);
    }
    Some(resolved)
}

/// Accepts Discord's option array as is, or turns `{"name": value}` into it.
fn normalize_options(options: Value) -> Value {
    match options {
        Value::Array(a) => Value::Array(a),
        Value::Object(map) => Value::Array(
            map.into_iter()
                .map(|(name, value)| {
                    let kind = match &value {
                        Value::Bool(_) => 5,
                        Value::Number(n) if n.is_i64() || n.is_u64() => 4,
                        Value::Number(_) => 10,
                        _ => 3,
                    };
                    json!({"name": name, "type": kind, "value": value})
                })
                .collect(),
        ),
        _ => json!([]),
    }
}
