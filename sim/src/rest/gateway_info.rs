//! `GET /gateway` and `GET /gateway/bot`: where the WebSocket gateway lives.

use serde_json::json;

use super::Reply;
use crate::Inner;

/// The root path, as Discord's `wss://gateway.discord.gg`: every client appends its own query
/// (serenity `?v=10`, discord.py and discord.js `?v=10&encoding=json&compress=...`).
pub fn get_gateway(inner: &Inner) -> Reply {
    Reply::ok(json!({"url": inner.gateway_url()}))
}

pub fn get_gateway_bot(inner: &Inner) -> Reply {
    Reply::ok(json!({
        "url": inner.gateway_url(),
        "shards": 1,
        "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1
        }
    }))
}
