//! `SimConfig` and `RateLimit`: the knobs a test turns before starting a simulator.

use std::time::Duration;

/// A fixed-window limit: at most `limit` requests per `window`, per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub window: Duration,
}

impl Default for RateLimit {
    /// Discord's observed limit for `POST /channels/{id}/messages`: 5 per 5 s.
    fn default() -> Self {
        RateLimit {
            limit: 5,
            window: Duration::from_secs(5),
        }
    }
}

impl RateLimit {
    /// Discord's global limit: 50 requests per second per bot, across every route but the
    /// interaction endpoints (https://discord.com/developers/docs/topics/rate-limits).
    pub fn discord_global() -> RateLimit {
        RateLimit {
            limit: 50,
            window: Duration::from_secs(1),
        }
    }
}

/// Behaviour of one simulator instance.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Per-channel limit on message creation; `None` disables rate limiting.
    pub rate_limit: Option<RateLimit>,
    /// Per-channel limit on reading a channel's history (`GET /channels/{id}/messages`),
    /// announced with its own `X-RateLimit-*` headers: on Discord a route's bucket is its
    /// method, route and major parameter, so reading a channel and posting in it are counted
    /// apart. `None` (the default) announces and enforces none.
    pub history_limit: Option<RateLimit>,
    /// The bot's global limit over all REST routes but the interaction endpoints, counted
    /// in any `window` (sliding); `None` (the default) disables it. Discord's is
    /// [`RateLimit::discord_global`].
    pub global_limit: Option<RateLimit>,
    /// Interval announced in HELLO. Tests of heartbeat failure shorten it.
    pub heartbeat_interval: Duration,
    /// Whether the bot is allowed the privileged MESSAGE_CONTENT intent. When false, an
    /// IDENTIFY asking for it is closed with 4014, as Discord does.
    pub message_content_allowed: bool,
    /// How long an interaction accepts its initial callback (Discord: 3 s).
    pub interaction_deadline: Duration,
    /// Window in which `nonce` + `enforce_nonce` de-duplicates (Discord: "a few minutes").
    pub nonce_window: Duration,
    /// Maximum number of dispatches kept per session for RESUME replay.
    pub resume_buffer: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            rate_limit: Some(RateLimit::default()),
            history_limit: None,
            global_limit: None,
            heartbeat_interval: Duration::from_millis(41_250),
            message_content_allowed: true,
            interaction_deadline: Duration::from_secs(3),
            nonce_window: Duration::from_secs(5 * 60),
            resume_buffer: 10_000,
        }
    }
}
