//! `/channels/{id}` and `/channels/{id}/typing`.

use super::{Reply, Req};
use crate::payload::channel_json;
use crate::state::State;

/// `GET /channels/{id}`
pub fn get_channel(st: &State, req: &Req) -> Reply {
    match req.id(1).and_then(|id| st.channels.get(&id)) {
        Some(c) => Reply::ok(channel_json(st, c)),
        None => Reply::unknown_channel(),
    }
}

/// `POST /channels/{id}/typing`
pub fn trigger_typing(st: &State, req: &Req) -> Reply {
    match req.id(1).and_then(|id| st.channels.get(&id)) {
        Some(_) => Reply::no_content(),
        None => Reply::unknown_channel(),
    }
}
