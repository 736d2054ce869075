//! A loopback Discord: REST under `/api/v10` and a WebSocket gateway on 127.0.0.1, good
//! enough for the real serenity 0.12.5 client to run against it. Used by frontdesk's
//! end-to-end tests, benchmarks and offline demo. It never talks to discord.com.
//!
//! Start one with [`Simulator::start`], point serenity at it with
//! `HttpBuilder::new(sim.token()).proxy(sim.base_url()).ratelimiter_disabled(true)`, then act
//! as people (`post_message`, `send_dm`, `invoke_command`, ...) and observe what the bot did
//! (`requests`, `messages_in`, `interaction_responses`). [`schema::ApiSchema`] checks a
//! recorded request against Discord's own OpenAPI description.
//!
//! # Modules
//! * `world`, `config`: what a simulator starts with (a guild, its channels, the people) and
//!   the knobs a test turns.
//! * `state`: the mutable world, behind one mutex. `publish`: the changes the bot hears about,
//!   stored, rendered and dispatched in one step.
//! * `rest`: one handler per REST route, every request recorded (`record`), message creation
//!   rate limited (`ratelimit`). `control`: `/_sim/` endpoints that drive a standalone
//!   simulator. `attachment`: the files uploaded with a message and kept with it, as data;
//!   `rest::multipart` reads them from a multipart body, `cdn` serves them back at
//!   `/attachments/...`.
//! * `gateway`, `session`, `transport`: the WebSocket gateway (at `/`, where `GET /gateway`
//!   points), its sessions (intents, RESUME replay) and its framing (`compress=zlib-stream`).
//! * `actors`: acting as people. `payload`: Discord's JSON shapes; `message`: a stored
//!   message; `snowflake`: ids and timestamps.
//! * `schema`: the generated subset of Discord's OpenAPI description and the check against
//!   it (the `jsonschema` crate validates; routes and wording are ours).
//!
//! Dependencies between these point one way: `payload` renders from `state`, and `state`
//! renders nothing.

mod actors;
mod admin;
mod attachment;
mod cdn;
mod config;
mod control;
mod error;
mod gateway;
mod message;
mod payload;
#[cfg(test)]
mod payload_tests;
mod publish;
mod ratelimit;
mod record;
mod rest;
pub mod schema;
mod session;
mod snowflake;
mod state;
mod transport;
mod world;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use admin::OverwriteFor;
pub use attachment::{SimAttachment, Upload};
pub use config::{RateLimit, SimConfig};
pub use error::SimError;
pub use message::SimMessage;
pub use record::RecordedRequest;
pub use session::intents;
pub use world::{
    demo, perms, ChannelKind, SimChannel, SimForumTag, SimGuild, SimOverwrite, SimRole, SimUser,
    World,
};

use ratelimit::RateLimiter;
use session::Outbound;
use state::{Fault, State};

/// Shared by the server tasks and every `Simulator` clone.
pub(crate) struct Inner {
    addr: SocketAddr,
    token: String,
    cfg: SimConfig,
    state: Mutex<State>,
    /// Bumped on every observable change; waiters re-check their condition.
    changed: watch::Sender<u64>,
    next_conn: AtomicU64,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    server: Mutex<Option<JoinHandle<Result<(), SimError>>>>,
}

impl Inner {
    /// The state lock. A panic while holding it must not wedge every later test step, so a
    /// poisoned lock is taken over as is.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Where `GET /gateway` points: the root path, as Discord's `wss://gateway.discord.gg`;
    /// clients append their own query.
    fn gateway_url(&self) -> String {
        format!("ws://{}", self.addr)
    }
}

/// A running simulator. Cheap to clone; all clones drive the same instance.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/", get(gateway::upgrade))
        .route("/gateway", get(gateway::upgrade))
        .route("/gateway/", get(gateway::upgrade))
        .route("/attachments/:channel/:id/:filename", get(cdn::serve))
        .merge(control::routes())
        .fallback(rest::handle)
        .with_state(inner)
}

async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), SimError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(SimError::LocalAddr)?;
    Ok((listener, local))
}

fn new_inner(addr: SocketAddr, world: World, cfg: SimConfig) -> Arc<Inner> {
    let rate = RateLimiter::new(cfg.rate_limit)
        .with_history(cfg.history_limit)
        .with_global(cfg.global_limit);
    let (changed, _) = watch::channel(0);
    Arc::new(Inner {
        addr,
        token: format!("sim-token-{}", addr.port()),
        state: Mutex::new({
            let mut st = State::new(world, rate);
            st.admin = admin::Admin::new(&st.world, cfg.message_content_allowed);
            st
        }),
        cfg,
        changed,
        next_conn: AtomicU64::new(1),
        shutdown: Mutex::new(None),
        server: Mutex::new(None),
    })
}

/// Runs a simulator until `shutdown` resolves (for `frontdesk sim --port P`).
pub async fn serve(
    addr: SocketAddr,
    world: World,
    cfg: SimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    let (listener, local) = bind(addr).await?;
    let inner = new_inner(local, world, cfg);
    tracing::info!(addr = %local, "Discord simulator listening");
    axum::serve(listener, router(inner))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(SimError::Serve)
}

impl Simulator {
    /// Starts on 127.0.0.1 with an OS-chosen port.
    pub async fn start(world: World, cfg: SimConfig) -> Result<Simulator, SimError> {
        Simulator::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), world, cfg).await
    }

    pub async fn start_on(
        addr: SocketAddr,
        world: World,
        cfg: SimConfig,
    ) -> Result<Simulator, SimError> {
        let (listener, local) = bind(addr).await?;
        let inner = new_inner(local, world, cfg);
        let (tx, rx) = oneshot::channel::<()>();
        let app = router(Arc::clone(&inner));
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .map_err(SimError::Serve)
        });
        *inner.shutdown.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
        *inner.server.lock().unwrap_or_else(|e| e.into_inner()) = Some(server);
        tracing::debug!(addr = %local, "Discord simulator started");
        Ok(Simulator { inner })
    }

    /// `http://127.0.0.1:PORT`, for serenity's `HttpBuilder::proxy`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// `ws://127.0.0.1:PORT`, as announced by `GET /gateway` and `GET /gateway/bot`.
    pub fn gateway_url(&self) -> String {
        self.inner.gateway_url()
    }

    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// A token to give the bot. Any token is accepted.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// The token the last IDENTIFY carried (never logged).
    pub fn identified_token(&self) -> Option<String> {
        self.inner.lock().token.clone()
    }

    pub fn config(&self) -> &SimConfig {
        &self.inner.cfg
    }

    /// The world as it started (threads and DMs created since are in `channel`).
    pub fn world(&self) -> World {
        self.inner.lock().world.clone()
    }

    /// Gives a member new roles in the guild, as a server admin would (what
    /// `GET /guilds/{id}/members/{user}` answers from then on); `false` for an unknown user.
    pub fn set_member_roles(&self, user: u64, roles: Vec<u64>) -> bool {
        let mut st = self.inner.lock();
        match st.world.users.iter_mut().find(|u| u.id == user) {
            Some(u) => {
                u.roles = roles;
                true
            }
            None => false,
        }
    }

    pub fn bot_id(&self) -> u64 {
        self.inner.lock().world.bot.id
    }

    pub fn application_id(&self) -> u64 {
        self.inner.lock().application_id
    }

    pub fn guild_id(&self) -> u64 {
        self.inner.lock().world.guild.id
    }

    /// Any channel: guild channel, thread or DM.
    pub fn channel(&self, id: u64) -> Option<SimChannel> {
        self.inner.lock().channels.get(&id).cloned()
    }

    /// Active threads, oldest first.
    pub fn threads(&self) -> Vec<SimChannel> {
        self.inner.lock().threads().cloned().collect()
    }

    // ---- observing ----

    /// Every REST request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.lock().requests.clone()
    }

    /// What a person in the channel sees, oldest first (ephemeral responses excluded).
    pub fn messages_in(&self, channel: u64) -> Vec<SimMessage> {
        self.inner
            .lock()
            .history
            .get(&channel)
            .cloned()
            .unwrap_or_default()
    }

    /// A message by id (channel history or ephemeral response).
    pub fn message(&self, id: u64) -> Option<SimMessage> {
        self.inner.lock().any_message(id).cloned()
    }

    pub fn dm_channel_of(&self, user: u64) -> Option<u64> {
        self.inner.lock().dm_of_user.get(&user).copied()
    }

    /// The message an interaction's answer created (its "original response"), once answered.
    pub fn interaction_message(&self, interaction: u64) -> Option<u64> {
        self.inner
            .lock()
            .interactions
            .get(&interaction)
            .and_then(|i| i.original_message)
    }

    /// Bodies the bot sent for an interaction: the callback, then follow-ups and edits.
    pub fn interaction_responses(&self, interaction: u64) -> Vec<serde_json::Value> {
        self.inner
            .lock()
            .interactions
            .get(&interaction)
            .map(|i| i.responses.clone())
            .unwrap_or_default()
    }

    /// Commands registered for the guild (`None`: global ones).
    pub fn commands(&self, guild: Option<u64>) -> Vec<serde_json::Value> {
        let st = self.inner.lock();
        match guild {
            None => st.global_commands.clone(),
            Some(g) => st.guild_commands.get(&g).cloned().unwrap_or_default(),
        }
    }

    /// When the MESSAGE_CREATE for a message was written to a gateway socket.
    pub fn dispatched_at(&self, message_id: u64) -> Option<Instant> {
        self.inner.lock().dispatched_at.get(&message_id).copied()
    }

    /// Number of IDENTIFYs answered with READY.
    pub fn identify_count(&self) -> u64 {
        self.inner.lock().sessions.identified
    }

    /// Number of successful RESUMEs.
    pub fn resume_count(&self) -> u64 {
        self.inner.lock().sessions.resumed
    }

    /// Intents of the most recent session with a live connection.
    pub fn connected_intents(&self) -> Option<u64> {
        let st = self.inner.lock();
        st.sessions
            .by_id
            .values()
            .find(|s| s.live.is_some())
            .map(|s| s.intents)
    }

    /// Waits until `cond` holds on the state; re-checked on every change, no polling.
    async fn wait_until<T>(
        &self,
        timeout: Duration,
        cond: impl Fn(&State) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.inner.changed.subscribe();
        let fut = async {
            loop {
                rx.borrow_and_update();
                if let Some(v) = cond(&self.inner.lock()) {
                    return Some(v);
                }
                if rx.changed().await.is_err() {
                    return None;
                }
            }
        };
        tokio::time::timeout(timeout, fut).await.ok().flatten()
    }

    /// The first request (past or future) matching `pred`.
    pub async fn wait_for_request(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Option<RecordedRequest> {
        self.wait_until(timeout, |st| st.requests.iter().find(|r| pred(r)).cloned())
            .await
    }

    /// True once a session identified and has a live connection (READY and GUILD_CREATE are
    /// queued on it before it counts as connected).
    pub async fn wait_for_connected(&self, timeout: Duration) -> bool {
        self.wait_until(timeout, |st| {
            st.sessions
                .by_id
                .values()
                .any(|s| s.live.is_some())
                .then_some(())
        })
        .await
        .is_some()
    }

    /// Waits until at least `n` IDENTIFYs were answered.
    pub async fn wait_for_identifies(&self, n: u64, timeout: Duration) -> bool {
        self.wait_until(timeout, |st| (st.sessions.identified >= n).then_some(()))
            .await
            .is_some()
    }

    /// Waits until at least `n` RESUMEs succeeded.
    pub async fn wait_for_resumes(&self, n: u64, timeout: Duration) -> bool {
        self.wait_until(timeout, |st| (st.sessions.resumed >= n).then_some(()))
            .await
            .is_some()
    }

    /// Waits until the channel holds a message matching `pred`.
    pub async fn wait_for_message(
        &self,
        channel: u64,
        pred: impl Fn(&SimMessage) -> bool,
        timeout: Duration,
    ) -> Option<SimMessage> {
        self.wait_until(timeout, |st| {
            st.history
                .get(&channel)
                .and_then(|h| h.iter().find(|m| pred(m)).cloned())
        })
        .await
    }

    // ---- faults ----

    /// Closes the live gateway connection(s) with `code`. The session stays resumable:
    /// events in between are buffered and replayed on RESUME.
    pub fn close_gateway(&self, code: u16) {
        let mut st = self.inner.lock();
        for s in st.sessions.by_id.values_mut() {
            if let Some(live) = s.live.take() {
                let _ = live.tx.send(Outbound::Close(code));
            }
        }
        drop(st);
        self.inner.bump();
    }

    /// Stops (or resumes) answering heartbeats with HEARTBEAT_ACK.
    pub fn set_heartbeat_acks(&self, on: bool) {
        self.inner.lock().heartbeat_acks = on;
    }

    /// Stalls the gateway (or ends the stall), as during a Discord outage: no HEARTBEAT_ACK,
    /// RESUMEs unanswered, and IDENTIFYs held until the stall ends, so no session can receive
    /// the events of the meantime: they reach the bot only through the history.
    pub fn stall_gateway(&self, on: bool) {
        if on {
            self.inner.lock().stalled = true;
        } else {
            gateway::release_stall(&self.inner);
        }
    }

    /// The next `count` requests whose `"METHOD /path"` contains `route_contains` are
    /// answered with `status` (429 with Discord's rate-limit body and headers).
    pub fn fail_next(&self, route_contains: &str, status: u16, count: u32) {
        self.inner.lock().faults.push(Fault {
            route_contains: route_contains.to_string(),
            status,
            remaining: count,
            lose_answer: false,
        });
    }

    /// The next `count` requests whose `"METHOD /path"` contains `route_contains` take effect
    /// (a posted message is in the history) but are never answered, as when the connection
    /// drops on the way back: the client sees a timeout, or nothing if it dies meanwhile.
    pub fn lose_answers(&self, route_contains: &str, count: u32) {
        self.inner.lock().faults.push(Fault {
            route_contains: route_contains.to_string(),
            status: 0,
            remaining: count,
            lose_answer: true,
        });
    }

    /// Drops every injected fault that has not fired yet.
    pub fn clear_faults(&self) {
        self.inner.lock().faults.clear();
    }

    /// DMs to this user answer 403 / 50007.
    pub fn set_dm_blocked(&self, user: u64, blocked: bool) {
        let mut st = self.inner.lock();
        if blocked {
            st.dm_blocked.insert(user);
        } else {
            st.dm_blocked.remove(&user);
        }
    }

    // ---- the server's administration and the Developer Portal ----

    /// Denies (and allows) permission bits to a role or member in a channel, as a channel's
    /// permission settings do.
    pub fn set_channel_overwrite(&self, channel: u64, target: OverwriteFor, allow: u64, deny: u64) {
        self.inner
            .lock()
            .admin
            .overwrite(channel, target, allow, deny);
        self.inner.bump();
    }

    /// Turns the application's message-content intent on or off (Developer Portal → Bot →
    /// Message Content Intent). Off: the flag leaves `GET /applications/@me` and an IDENTIFY
    /// asking for the intent is closed with 4014.
    pub fn set_message_content_intent(&self, on: bool) {
        let mut st = self.inner.lock();
        if on {
            st.admin.application_flags |= admin::MESSAGE_CONTENT_LIMITED_FLAG;
        } else {
            st.admin.application_flags &= !(admin::MESSAGE_CONTENT_LIMITED_FLAG | 1 << 18);
        }
    }

    /// Deletes a role: it leaves the guild, its members and the channels' overwrites.
    pub fn remove_role(&self, role: u64) {
        let mut st = self.inner.lock();
        st.world.guild.roles.retain(|r| r.id != role);
        st.world.bot.roles.retain(|r| *r != role);
        for u in &mut st.world.users {
            u.roles.retain(|r| *r != role);
        }
        for list in st.admin.overwrites.values_mut() {
            list.retain(|o| o.target != OverwriteFor::Role(role));
        }
        drop(st);
        self.inner.bump();
    }

    /// Whether the bot is in the world's guild (`false`: not invited yet, or kicked).
    pub fn set_bot_in_guild(&self, joined: bool) {
        self.inner.lock().admin.bot_in_guild = joined;
        self.inner.bump();
    }

    /// REST answers this token 401 from now on, as after "Reset Token" in the Developer Portal.
    pub fn reject_token(&self, token: &str) {
        self.inner
            .lock()
            .admin
            .rejected_tokens
            .insert(token.to_string());
    }

    /// Closes gateway connections and stops the server.
    pub async fn shutdown(self) {
        self.close_gateway(1001);
        let tx = self
            .inner
            .shutdown
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(tx) = tx {
            let _ = tx.send(());
        }
        let server = self
            .inner
            .server
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(mut server) = server {
            // Graceful shutdown waits for open connections (a reconnecting client keeps
            // some); give it a moment, then stop hard.
            if tokio::time::timeout(Duration::from_secs(1), &mut server)
                .await
                .is_err()
            {
                server.abort();
            }
        }
    }
}
