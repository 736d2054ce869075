//! Interaction webhooks: follow-ups (`POST /webhooks/{app}/{token}`) and the original
//! response (`GET/PATCH/DELETE /webhooks/{app}/{token}/messages/@original`).

use std::time::Duration;

use super::interactions::{response_message, store_response};
use super::messages::{edit_message, validate_upload};
use super::{Reply, Req};
use crate::payload::message_json;
use crate::state::{InteractionRec, State};

/// Interaction tokens stay valid for 15 minutes.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

fn interaction(st: &State, req: &Req) -> Result<InteractionRec, Reply> {
    let unknown = || Reply::error(404, 10015, "Unknown Webhook");
    if req.id(1) != Some(st.application_id) {
        return Err(unknown());
    }
    let token = req.segs.get(2).ok_or_else(unknown)?;
    let rec = st
        .interaction_by_token
        .get(token)
        .and_then(|id| st.interactions.get(id))
        .ok_or_else(unknown)?;
    if req.now.duration_since(rec.created) > TOKEN_LIFETIME {
        return Err(Reply::error(401, 50027, "Invalid Webhook Token"));
    }
    Ok(rec.clone())
}

fn record(st: &mut State, id: u64, body: Option<&serde_json::Value>) {
    if let Some(i) = st.interactions.get_mut(&id) {
        i.responses
            .push(body.cloned().unwrap_or(serde_json::Value::Null));
    }
}

fn message_reply(st: &State, id: u64) -> Reply {
    match st.any_message(id) {
        Some(m) => Reply::ok(message_json(st, m, false)),
        None => Reply::unknown_message(),
    }
}

/// `POST /webhooks/{app}/{token}`: a follow-up message.
pub fn create_followup(st: &mut State, req: &Req) -> Reply {
    let rec = match interaction(st, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !rec.acknowledged {
        return Reply::error(404, 10015, "Unknown Webhook");
    }
    let draft = match validate_upload(st, rec.channel, req, req.body.as_ref(), true, &[]) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let ephemeral = draft.flags & 64 != 0;
    let mut m = response_message(st, &rec);
    m.kind = 0;
    draft.apply(&mut m);
    let id = m.id;
    store_response(st, m, ephemeral);
    record(st, rec.id, req.body.as_ref());
    message_reply(st, id)
}

/// `GET /webhooks/{app}/{token}/messages/@original`
pub fn get_original(st: &mut State, req: &Req) -> Reply {
    let rec = match interaction(st, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    match rec.original_message {
        Some(id) => message_reply(st, id),
        None => Reply::unknown_message(),
    }
}

/// `PATCH /webhooks/{app}/{token}/messages/@original`: edits the response, or after a
/// deferral creates it.
pub fn edit_original(st: &mut State, req: &Req) -> Reply {
    let rec = match interaction(st, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !rec.acknowledged {
        return Reply::unknown_message();
    }
    let existing = rec
        .original_message
        .and_then(|id| st.any_message(id))
        .map(|m| m.attachments.clone())
        .unwrap_or_default();
    let draft = match validate_upload(st, rec.channel, req, req.body.as_ref(), false, &existing) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let id = match rec.original_message {
        Some(id) if st.ephemeral.contains_key(&id) => {
            if let Some(m) = st.ephemeral.get_mut(&id) {
                draft.apply(m);
                m.edited_timestamp = Some(crate::snowflake::iso_now());
            }
            id
        }
        Some(id) => {
            edit_message(st, id, draft);
            id
        }
        None => {
            let mut m = response_message(st, &rec);
            draft.apply(&mut m);
            let id = m.id;
            store_response(st, m, rec.ephemeral);
            if let Some(i) = st.interactions.get_mut(&rec.id) {
                i.original_message = Some(id);
            }
            id
        }
    };
    record(st, rec.id, req.body.as_ref());
    message_reply(st, id)
}

/// `DELETE /webhooks/{app}/{token}/messages/@original`
pub fn delete_original(st: &mut State, req: &Req) -> Reply {
    let rec = match interaction(st, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(id) = rec.original_message else {
        return Reply::unknown_message();
    };
    st.ephemeral.remove(&id);
    if let Some(h) = st.history.get_mut(&rec.channel) {
        h.retain(|m| m.id != id);
    }
    Reply::no_content()
}

/// `PATCH /webhooks/{app}/{token}/messages/{id}`: edits a follow-up.
pub fn edit_followup(st: &mut State, req: &Req) -> Reply {
    let rec = match interaction(st, req) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(id) = req.id(4).filter(|id| {
        st.any_message(*id)
            .is_some_and(|m| m.interaction_id == Some(rec.id))
    }) else {
        return Reply::unknown_message();
    };
    let existing = st
        .any_message(id)
        .map(|m| m.attachments.clone())
        .unwrap_or_default();
    let draft = match validate_upload(st, rec.channel, req, req.body.as_ref(), false, &existing) {
        Ok(d) => d,
        Err(r) => return r,
    };
    if let Some(m) = st.ephemeral.get_mut(&id) {
        draft.apply(m);
    } else {
        edit_message(st, id, draft);
    }
    record(st, rec.id, req.body.as_ref());
    message_reply(st, id)
}
