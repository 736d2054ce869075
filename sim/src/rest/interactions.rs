//! `POST /interactions/{id}/{token}/callback`: the initial response to an interaction,
//! with Discord's 3-second deadline and single-acknowledgement rule.

use serde_json::{json, Value};

use super::messages::{edit_message, validate, validate_upload};
use super::{Reply, Req};
use crate::message::SimMessage;
use crate::state::State;
use crate::Inner;

const EPHEMERAL: u64 = 64;

/// `POST /interactions/{id}/{token}/callback`
pub fn callback(inner: &Inner, st: &mut State, req: &Req) -> Reply {
    let token = req.segs.get(2).cloned().unwrap_or_default();
    let Some(rec) = req
        .id(1)
        .and_then(|id| st.interactions.get(&id))
        .filter(|i| i.token == token)
        .cloned()
    else {
        return Reply::error(404, 10062, "Unknown interaction");
    };
    if req.now.duration_since(rec.created) > inner.cfg.interaction_deadline {
        return Reply::error(404, 10062, "Unknown interaction");
    }
    if rec.acknowledged {
        return Reply::error(400, 40060, "Interaction has already been acknowledged.");
    }
    let body = req.body.clone().unwrap_or(Value::Null);
    let kind = body.get("type").and_then(Value::as_u64);
    let data = body.get("data").cloned().filter(|d| !d.is_null());
    let flags = data
        .as_ref()
        .and_then(|d| d.get("flags"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let ephemeral = flags & EPHEMERAL != 0;
    let mut original = None;
    match kind {
        // CHANNEL_MESSAGE_WITH_SOURCE
        Some(4) => {
            let draft = match validate_upload(st, rec.channel, req, data.as_ref(), true, &[]) {
                Ok(d) => d,
                Err(r) => return r,
            };
            let mut m = response_message(st, &rec);
            draft.apply(&mut m);
            original = Some(m.id);
            store_response(st, m, ephemeral);
        }
        // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_UPDATE_MESSAGE, MODAL, PONG
        Some(1 | 5 | 6 | 9) => {}
        // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, only to an autocomplete interaction, with
        // at most 25 choices.
        Some(8) if rec.kind == 4 => {
            let choices = data
                .as_ref()
                .and_then(|d| d.get("choices"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if choices > 25 {
                return Reply::invalid_form(
                    "data.choices",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 25 or fewer in length.",
                );
            }
        }
        // UPDATE_MESSAGE: edits the message holding the component.
        Some(7) if rec.kind == 3 => {
            let draft = match validate(st, rec.channel, data.as_ref(), false) {
                Ok(d) => d,
                Err(r) => return r,
            };
            match rec.message {
                // An ephemeral message is its one reader's: edited in place, no gateway event.
                Some(msg) if st.ephemeral.contains_key(&msg) => {
                    if let Some(m) = st.ephemeral.get_mut(&msg) {
                        draft.apply(m);
                        m.edited_timestamp = Some(crate::snowflake::iso_now());
                    }
                }
                Some(msg) => edit_message(st, msg, draft),
                None => {}
            }
        }
        _ => {
            return Reply::invalid_form(
                "type",
                "BASE_TYPE_CHOICES",
                "Value is not a valid response type.",
            );
        }
    }
    if let Some(i) = st.interactions.get_mut(&rec.id) {
        i.acknowledged = true;
        i.ephemeral = ephemeral;
        i.original_message = original;
        i.responses.push(body);
    }
    if req.query.get("with_response").is_some_and(|v| v == "true") {
        return Reply::ok(json!({"interaction": {"id": rec.id.to_string(), "type": rec.kind}}));
    }
    Reply::no_content()
}

/// A message answering an interaction: authored by the bot, posted through the app's webhook.
pub fn response_message(st: &mut State, rec: &crate::state::InteractionRec) -> SimMessage {
    let id = st.ids.next();
    let bot = st.bot_id();
    let mut m = SimMessage::new(id, rec.channel, rec.guild_id, bot, "");
    m.kind = if rec.kind == 2 { 20 } else { 0 };
    m.webhook_id = Some(st.application_id);
    m.application_id = Some(st.application_id);
    m.interaction_id = Some(rec.id);
    m
}

/// Ephemeral messages are seen only by the invoking user: they are kept on the interaction
/// (see `interaction_responses`) and not in the channel history or the gateway.
pub fn store_response(st: &mut State, mut m: SimMessage, ephemeral: bool) {
    if ephemeral {
        m.flags |= EPHEMERAL;
        st.message_channel.insert(m.id, m.channel_id);
        st.ephemeral.insert(m.id, m);
    } else {
        st.insert_message(m);
    }
}
