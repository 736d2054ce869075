//! The WebSocket gateway: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE, RESUME with
//! replay, and server-initiated closes. One task per connection; dispatches reach it through
//! the session's channel so that ordering is decided under the state lock. The query the
//! client dialled with chooses the framing (`transport`).
//!
//! Served at the root path, where `GET /gateway/bot` points (Discord's is
//! `wss://gateway.discord.gg`), and at `/gateway`. How the clients dial it:
//! * serenity 0.12: the announced URL plus `?v=10` (JSON text; `"compress": true` in IDENTIFY);
//! * discord.py 2.x: its `DEFAULT_GATEWAY` (`wss://gateway.discord.gg/`, not asked of
//!   `/gateway/bot` by a plain `Client`) plus `?v=10&encoding=json&compress=zlib-stream`
//!   (`zstd-stream` when the `zstandard` module is installed), and `"compress": true`;
//! * discord.js 14 (`@discordjs/ws` 1.x): the URL of `GET /gateway/bot` plus
//!   `?v=10&encoding=json`, with `&compress=zlib-stream` only when `zlib-sync` is installed.
//!
//! IDENTIFY's `"compress": true` asks for payload compression of *some* payloads: the
//! simulator compresses none, which Discord's documentation allows, and with zlib-stream
//! payload compression is off anyway.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State as AxState};
use axum::http::Uri;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::payload::{current_user_json, guild_create_json};
use crate::session::{intents, Live, Outbound, Session};
use crate::snowflake::id_str;
use crate::state::HeldIdentify;
use crate::transport::{Framer, Refusal};
use crate::{Inner, Simulator};

#[cfg(test)]
#[path = "gateway_tests.rs"]
mod tests;

/// `GET /` or `GET /gateway`, with the client's query: upgrade to a gateway connection.
pub async fn upgrade(
    AxState(inner): AxState<Arc<Inner>>,
    uri: Uri,
    RawQuery(query): RawQuery,
    ws: WebSocketUpgrade,
) -> Response {
    inner.lock().sessions.dials.push(uri.to_string());
    let framer = Framer::for_query(query.as_deref());
    ws.on_upgrade(move |socket| connection(inner, socket, framer))
}

impl Simulator {
    /// The path and query of every gateway connection so far, in order (`/?v=10&...`).
    pub fn gateway_dials(&self) -> Vec<String> {
        self.inner.lock().sessions.dials.clone()
    }
}

async fn connection(inner: Arc<Inner>, mut socket: WebSocket, framer: Result<Framer, Refusal>) {
    let mut framer = match framer {
        Ok(f) => f,
        Err(Refusal { code, reason }) => {
            tracing::warn!(code, reason, "gateway: connection refused");
            close_with(&mut socket, code, reason).await;
            return;
        }
    };
    let conn = inner.next_conn.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::unbounded_channel::<Outbound>();
    tracing::debug!(conn, "gateway connection opened");
    let hello = json!({"op": 10, "s": null, "t": null,
        "d": {"heartbeat_interval": inner.cfg.heartbeat_interval.as_millis() as u64}});
    if send_text(&mut socket, &mut framer, hello.to_string())
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                if let Some(code) = handle_frame(&inner, conn, &tx, &text) {
                    close(&mut socket, code).await;
                    break;
                }
            }
            out = rx.recv() => match out {
                Some(Outbound::Frame { text, message_id }) => {
                    // Stamped as the write starts: read after it, the stamp could land after
                    // the bot had already answered (this task may be descheduled between the
                    // write and the lock), and latencies came out as zero.
                    let leaving = Instant::now();
                    if send_text(&mut socket, &mut framer, text).await.is_err() {
                        break;
                    }
                    if let Some(id) = message_id {
                        inner.lock().dispatched_at.entry(id).or_insert(leaving);
                        inner.bump();
                    }
                }
                Some(Outbound::Close(code)) => {
                    close(&mut socket, code).await;
                    break;
                }
                None => break,
            }
        }
    }
    detach(&inner, conn);
    tracing::debug!(conn, "gateway connection closed");
}

/// Sends one gateway message in the connection's framing; an error ends the connection.
async fn send_text(socket: &mut WebSocket, framer: &mut Framer, text: String) -> Result<(), ()> {
    let frame = framer.frame(text).map_err(|e| {
        tracing::warn!(error = %e, "gateway: compressing a frame failed, closing");
    })?;
    socket.send(frame).await.map_err(|_| ())
}

async fn close(socket: &mut WebSocket, code: u16) {
    close_with(socket, code, "closed by simulator").await;
}

/// Close frames are never compressed: they are WebSocket control frames, not gateway messages.
async fn close_with(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// Ends a stall: answers the IDENTIFYs held meanwhile on connections that are still open.
pub(crate) fn release_stall(inner: &Inner) {
    let held = {
        let mut st = inner.lock();
        st.stalled = false;
        std::mem::take(&mut st.held_identifies)
    };
    for h in held.into_iter().filter(|h| !h.tx.is_closed()) {
        if let Some(code) = identify(inner, h.conn, &h.tx, &h.payload) {
            let _ = h.tx.send(Outbound::Close(code));
        }
    }
    inner.bump();
}

/// Marks the session of this connection as disconnected (resumable).
fn detach(inner: &Inner, conn: u64) {
    let mut st = inner.lock();
    for s in st.sessions.by_id.values_mut() {
        if s.live.as_ref().is_some_and(|l| l.conn == conn) {
            s.live = None;
        }
    }
    drop(st);
    inner.bump();
}

/// Handles one client frame; returns a close code when the connection must end.
fn handle_frame(
    inner: &Inner,
    conn: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
    text: &str,
) -> Option<u16> {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        tracing::warn!("gateway: undecodable frame");
        return Some(4002);
    };
    let op = v.get("op").and_then(Value::as_u64);
    let d = v.get("d").cloned().unwrap_or(Value::Null);
    match op {
        Some(1) => {
            let st = inner.lock();
            let ack = st.heartbeat_acks && !st.stalled;
            drop(st);
            if ack {
                send(tx, json!({"op": 11, "s": null, "t": null, "d": null}));
            } else {
                tracing::debug!("gateway: heartbeat not acknowledged (fault injected)");
            }
            None
        }
        Some(2) => identify(inner, conn, tx, &d),
        Some(6) => {
            if inner.lock().stalled {
                tracing::debug!("gateway: RESUME not answered (stalled)");
            } else {
                resume(inner, conn, tx, &d);
            }
            None
        }
        // Presence updates, member chunk requests and voice state: accepted, ignored.
        Some(3 | 4 | 8 | 31) => None,
        other => {
            tracing::warn!(?other, "gateway: unknown opcode");
            Some(4001)
        }
    }
}

fn send(tx: &mpsc::UnboundedSender<Outbound>, v: Value) {
    let _ = tx.send(Outbound::Frame {
        text: v.to_string(),
        message_id: None,
    });
}

fn identify(
    inner: &Inner,
    conn: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
    d: &Value,
) -> Option<u16> {
    {
        let mut st = inner.lock();
        if st.stalled {
            st.held_identifies.push(HeldIdentify {
                conn,
                tx: tx.clone(),
                payload: d.clone(),
            });
            return None;
        }
    }
    let requested = d.get("intents").and_then(Value::as_u64).unwrap_or(0);
    let intent_on = inner.cfg.message_content_allowed && inner.lock().admin.message_content_on();
    if requested & intents::MESSAGE_CONTENT != 0 && !intent_on {
        tracing::info!("gateway: MESSAGE_CONTENT requested but not allowed, closing 4014");
        return Some(4014);
    }
    let token = d
        .get("token")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let session_id = format!("sim{:016x}{:04x}", inner.lock().ids.next(), conn);
    {
        let mut st = inner.lock();
        st.token = Some(token);
        st.sessions.drop_detached();
        let mut session = Session::new(requested, inner.cfg.resume_buffer);
        session.live = Some(Live {
            conn,
            tx: tx.clone(),
        });
        let ready = json!({
            "v": 10,
            "user": current_user_json(&st.world.bot),
            "guilds": [{"id": id_str(st.world.guild.id), "unavailable": true}],
            "session_id": session_id,
            "resume_gateway_url": inner.gateway_url(),
            "shard": [0, 1],
            "application": {"id": id_str(st.application_id), "flags": 1 << 19},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "_trace": ["simulator"],
        });
        session.push("READY", ready, None);
        session.push("GUILD_CREATE", guild_create_json(&st), None);
        st.sessions.by_id.insert(session_id.clone(), session);
        st.sessions.identified += 1;
    }
    tracing::info!(intents = requested, "gateway: session identified");
    inner.bump();
    None
}

fn resume(inner: &Inner, conn: u64, tx: &mpsc::UnboundedSender<Outbound>, d: &Value) {
    let session_id = d.get("session_id").and_then(Value::as_str).unwrap_or("");
    let seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let mut st = inner.lock();
    let Some(session) = st.sessions.by_id.get_mut(session_id) else {
        drop(st);
        tracing::info!("gateway: RESUME of an unknown session, INVALID_SESSION");
        send(tx, json!({"op": 9, "s": null, "t": null, "d": false}));
        return;
    };
    if session
        .buffer
        .front()
        .is_some_and(|(first, _, _)| *first > seq + 1)
    {
        // The events the client misses are no longer buffered: it cannot resume.
        st.sessions.by_id.remove(session_id);
        drop(st);
        send(tx, json!({"op": 9, "s": null, "t": null, "d": false}));
        return;
    }
    let replay: Vec<(String, Option<u64>)> = session
        .buffer
        .iter()
        .filter(|(s, _, _)| *s > seq)
        .map(|(_, text, id)| (text.clone(), *id))
        .collect();
    let replayed = replay.len();
    for (text, message_id) in replay {
        let _ = tx.send(Outbound::Frame { text, message_id });
    }
    session.live = Some(Live {
        conn,
        tx: tx.clone(),
    });
    session.push("RESUMED", json!({"_trace": ["simulator"]}), None);
    st.sessions.resumed += 1;
    drop(st);
    tracing::info!(replayed, "gateway: session resumed");
    inner.bump();
}
