//! frontdesk's own REST transport, under every request `api` makes: paced per rate-limit
//! bucket (`route`) and within Discord's global limit (`pace`), honouring 429 `retry_after`,
//! the `X-RateLimit-*` headers and a 429's scope, retrying 5xx answers and timeouts with
//! backoff. It knows routes and JSON, not what they mean.
//!
//! serenity 0.12.5 retries nothing but 429s, and only with its own limiter on (which it turns
//! off whenever a proxy such as the simulator is used), so delivery cannot rely on it.
//! Retries are safe because every message carries a nonce with `enforce_nonce`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::time::Instant;

use super::pace::{Pacer, Priority};
use super::route::{Bucket, Route};
use crate::config::Secret;
use crate::sync::LockExt;

/// Discord's API when no other is configured.
pub const DISCORD_API: &str = "https://discord.com";

/// How hard delivery tries before leaving an item for the next outbox sweep.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// A single request that takes longer than this counts as failed and is retried.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            request_timeout: Duration::from_secs(15),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// Discord refused the request; retrying the same request cannot help.
    #[error("Discord refused {route}: HTTP {status}, code {code}: {message}")]
    Refused {
        route: String,
        status: u16,
        code: u64,
        message: String,
    },
    #[error("{route} still failing after {attempts} attempts: {last}")]
    GaveUp {
        route: String,
        attempts: u32,
        last: String,
    },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

impl RestError {
    /// Discord's JSON error code, when Discord refused.
    pub fn code(&self) -> Option<u64> {
        match self {
            RestError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Counters for logs and benchmarks.
#[derive(Debug, Default)]
pub struct RestStats {
    pub requests: AtomicU64,
    pub rate_limited: AtomicU64,
    /// Of `rate_limited`, the 429s that said the global limit was hit.
    pub global_limited: AtomicU64,
    pub retried: AtomicU64,
}

/// What the answers so far announced about one bucket's window.
#[derive(Default)]
struct Announced {
    limit: Option<u64>,
    remaining: Option<u64>,
    reset_at: Option<Instant>,
    /// The window's length, as the longest `reset-after` any answer announced (the one to a
    /// window's first request).
    period: Option<Duration>,
}

/// What a bucket's current window allows, as its latest answer announced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Requests the window still allows; `None` before any answer announced one.
    pub remaining: Option<u64>,
    /// Requests a whole window allows.
    pub limit: Option<u64>,
    /// When the window ends (`None`: unknown, or already over).
    pub reset_at: Option<Instant>,
    /// How long a whole window lasts.
    pub period: Option<Duration>,
}

impl Announced {
    /// Requests the current window still allows; `None` before any answer announced one.
    fn slots(&self, now: Instant) -> Option<u64> {
        match self.reset_at {
            Some(reset) if reset > now => self.remaining,
            // The window the last answer announced is over: a fresh one has the full limit
            // (unknown when no answer said it, e.g. after a bare 429).
            Some(_) => self.limit,
            None => self.remaining,
        }
    }
}

/// A file sent with a message ([`Rest::call_with_files`]).
#[derive(Clone, Debug)]
pub struct FilePart {
    pub filename: String,
    pub content_type: &'static str,
    pub data: Vec<u8>,
}

fn multipart_form(json: Option<&str>, files: &[FilePart]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    if let Some(json) = json {
        form = form.text("payload_json", json.to_string());
    }
    for (i, f) in files.iter().enumerate() {
        let part = reqwest::multipart::Part::bytes(f.data.clone()).file_name(f.filename.clone());
        // A fixed, valid MIME type: `mime_str` fails only on malformed ones.
        let part = match part.mime_str(f.content_type) {
            Ok(p) => p,
            Err(_) => reqwest::multipart::Part::bytes(f.data.clone()).file_name(f.filename.clone()),
        };
        form = form.part(format!("files[{i}]"), part);
    }
    form
}

pub struct Rest {
    client: reqwest::Client,
    base: String,
    auth: Secret,
    policy: RetryPolicy,
    /// One queue per rate-limit bucket (method, route, major parameter): requests in one go
    /// out in order, each waiting for the window the previous answer announced.
    buckets: Mutex<HashMap<Bucket, Arc<tokio::sync::Mutex<Announced>>>>,
    /// The global budget every request takes a slot from; a global 429 pauses it.
    pacer: Pacer,
    pub stats: RestStats,
}

impl Rest {
    /// `base` is e.g. [`DISCORD_API`] or a simulator's `http://127.0.0.1:PORT`; every request
    /// takes a slot of `pacer` first.
    pub fn new(
        client: reqwest::Client,
        base: &str,
        token: &Secret,
        policy: RetryPolicy,
        pacer: Pacer,
    ) -> Rest {
        Rest {
            client,
            base: base.trim_end_matches('/').to_string(),
            auth: Secret::new(format!("Bot {}", token.expose())),
            policy,
            buckets: Mutex::new(HashMap::new()),
            pacer,
            stats: RestStats::default(),
        }
    }

    /// The global budget, for requests that leave through serenity's client instead.
    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    fn bucket(&self, key: &Bucket) -> Arc<tokio::sync::Mutex<Announced>> {
        let mut map = self.buckets.locked();
        map.entry(key.clone()).or_default().clone()
    }

    /// Waits until `bucket` may take a request now, and says what its window still allows
    /// (`remaining: None`: no answer has announced a window yet, so the limit is unknown).
    /// Delivery asks this before choosing what to send, so that what queued up while the
    /// window was closed goes out together.
    pub async fn ready(&self, bucket: &Bucket) -> Window {
        let bucket = self.bucket(bucket);
        let state = bucket.lock().await;
        self.pacer.paused().await;
        if let (Some(0), Some(reset)) = (state.remaining, state.reset_at) {
            tokio::time::sleep_until(reset).await;
        }
        let now = Instant::now();
        Window {
            remaining: state.slots(now),
            limit: state.limit,
            reset_at: state.reset_at.filter(|r| *r > now),
            period: state.period,
        }
    }

    /// Sends one request and returns the JSON answer (`Value::Null` for an empty body). It
    /// waits in `route`'s bucket, then for a slot of the global budget at `priority`.
    pub async fn call(
        &self,
        priority: Priority,
        route: &Route,
        body: Option<&Value>,
    ) -> Result<Value, RestError> {
        self.send(priority, route, body, &[]).await
    }

    /// [`Rest::call`] with files: then the body goes as `multipart/form-data`, the JSON in
    /// its `payload_json` part and file `n` in `files[n]`, as Discord takes uploads.
    pub async fn call_with_files(
        &self,
        priority: Priority,
        route: &Route,
        body: Option<&Value>,
        files: &[FilePart],
    ) -> Result<Value, RestError> {
        self.send(priority, route, body, files).await
    }

    async fn send(
        &self,
        priority: Priority,
        route: &Route,
        body: Option<&Value>,
        files: &[FilePart],
    ) -> Result<Value, RestError> {
        let method = route.method().clone();
        let url = format!("{}/api/v10{}", self.base, route.path());
        let body = body.map(|b| b.to_string());
        let bucket = self.bucket(&route.bucket());
        let mut state = bucket.lock().await;
        let mut last = String::new();
        let mut backoff = self.policy.first_backoff;
        for attempt in 1..=self.policy.max_attempts {
            if let (Some(0), Some(reset)) = (state.remaining, state.reset_at) {
                tokio::time::sleep_until(reset).await;
            }
            // Held until the answer is read: the request counts until a window after it.
            // Let go before any backoff, which must not hold the global budget.
            let slot = self.pacer.slot(priority).await;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let mut req = self
                .client
                .request(method.clone(), &url)
                .header(AUTHORIZATION, self.auth.expose())
                .header(
                    USER_AGENT,
                    concat!(
                        "DiscordBot (https://github.com/frontdesk, ",
                        env!("CARGO_PKG_VERSION"),
                        ")"
                    ),
                );
            if !files.is_empty() {
                // Built anew for each attempt: a form is consumed by sending it.
                req = req.multipart(multipart_form(body.as_deref(), files));
            } else if let Some(b) = &body {
                req = req.header(CONTENT_TYPE, "application/json").body(b.clone());
            }
            let response = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    drop(slot);
                    // Timeouts and refused connections: the request may or may not have
                    // arrived; the nonce makes a second try safe.
                    last = without_url(&e);
                    tracing::warn!(%route, attempt, error = %last, "request failed; retrying");
                    self.stats.retried.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(self.policy.max_backoff);
                    continue;
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            remember_window(&mut state, &headers);
            let text = response.text().await.unwrap_or_default();
            drop(slot);
            if status.is_success() {
                return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
            }
            let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if status == StatusCode::TOO_MANY_REQUESTS {
                self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                let wait = retry_after(&json, &headers);
                let scope = Scope::of(&json, &headers);
                tracing::info!(%route, wait_ms = wait.as_millis() as u64, ?scope, "rate limited; waiting as Discord asks");
                if scope == Scope::Global {
                    // Every route waits, not just this one; the route's own window is intact.
                    self.stats.global_limited.fetch_add(1, Ordering::Relaxed);
                    self.pacer.pause(wait);
                } else {
                    // `user`: this route's limit; `shared`: the resource's, which others
                    // exhaust too. Either way only this bucket waits.
                    state.remaining = Some(0);
                    state.reset_at = Some(Instant::now() + wait);
                }
                last = format!("HTTP 429 ({scope:?}), retry after {wait:?}");
                continue;
            }
            if status.is_server_error() {
                last = format!("HTTP {status}");
                tracing::warn!(%route, attempt, %status, "Discord answered with a server error; retrying");
                self.stats.retried.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(self.policy.max_backoff);
                continue;
            }
            return Err(RestError::Refused {
                route: route.to_string(),
                status: status.as_u16(),
                code: json.get("code").and_then(Value::as_u64).unwrap_or(0),
                message: json
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            });
        }
        Err(RestError::GaveUp {
            route: route.to_string(),
            attempts: self.policy.max_attempts,
            last,
        })
    }
}

/// Which limit a 429 is about (`X-RateLimit-Scope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// The bot's own per-route limit.
    User,
    /// The bot's global limit: every request must wait.
    Global,
    /// A limit the resource shares with other users (does not count as invalid).
    Shared,
}

impl Scope {
    /// `X-RateLimit-Global: true`, `X-RateLimit-Scope: global` or the body's `"global": true`
    /// each say global (older answers carry only some of them); otherwise the scope header.
    fn of(json: &Value, headers: &HeaderMap) -> Scope {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_ascii_lowercase())
        };
        let scope = header("x-ratelimit-scope");
        if header("x-ratelimit-global").as_deref() == Some("true")
            || scope.as_deref() == Some("global")
            || json.get("global").and_then(Value::as_bool) == Some(true)
        {
            Scope::Global
        } else if scope.as_deref() == Some("shared") {
            Scope::Shared
        } else {
            Scope::User
        }
    }
}

/// A client with timeouts: reqwest (and so serenity) has none by default, and a stalled
/// request would hang its caller for ever.
pub fn http_client(policy: &RetryPolicy) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(policy.request_timeout)
        .connect_timeout(Duration::from_secs(10))
        .build()
}

/// Reads the window a response announces, so the next request waits instead of earning a 429.
fn remember_window(state: &mut Announced, headers: &HeaderMap) {
    let num = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<f64>().ok())
    };
    if let Some(limit) = num("x-ratelimit-limit") {
        state.limit = Some(limit.max(0.0) as u64);
    }
    if let Some(remaining) = num("x-ratelimit-remaining") {
        state.remaining = Some(remaining.max(0.0) as u64);
    }
    if let Some(after) = num("x-ratelimit-reset-after") {
        let after = Duration::from_secs_f64(after.clamp(0.0, 3600.0));
        state.reset_at = Some(Instant::now() + after);
        state.period = Some(state.period.map_or(after, |p| p.max(after)));
    }
}

/// The wait a 429 asks for: the body's `retry_after` (seconds, fractional), else the
/// `Retry-After` header, else one second.
fn retry_after(json: &Value, headers: &HeaderMap) -> Duration {
    let secs = json
        .get("retry_after")
        .and_then(Value::as_f64)
        .or_else(|| {
            headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(1.0);
    Duration::from_secs_f64(secs.clamp(0.0, 3600.0))
}

/// A short cause for logs (the token is in a header, never in the URL).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        format!("transport error: {e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn a_429_is_global_when_any_of_discords_signs_says_so() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_static(v));
            }
            m
        };
        let body = serde_json::json!({"retry_after": 1.0, "global": false});
        let none = h(&[]);
        assert_eq!(Scope::of(&body, &none), Scope::User);
        assert_eq!(
            Scope::of(&body, &h(&[("x-ratelimit-global", "true")])),
            Scope::Global
        );
        assert_eq!(
            Scope::of(&body, &h(&[("x-ratelimit-scope", "global")])),
            Scope::Global
        );
        assert_eq!(
            Scope::of(&serde_json::json!({"global": true}), &none),
            Scope::Global
        );
        assert_eq!(
            Scope::of(
                &body,
                &h(&[
                    ("x-ratelimit-scope", "shared"),
                    ("x-ratelimit-global", "false")
                ])
            ),
            Scope::Shared
        );
        assert_eq!(
            Scope::of(&body, &h(&[("x-ratelimit-scope", "user")])),
            Scope::User
        );
    }

    #[test]
    fn a_window_has_the_room_announced_until_it_ends_and_then_the_full_limit() {
        let now = Instant::now();
        let mut b = Announced::default();
        assert_eq!(b.slots(now), None, "nothing announced yet");
        b.limit = Some(5);
        b.remaining = Some(0);
        b.reset_at = Some(now + Duration::from_secs(3));
        assert_eq!(b.slots(now), Some(0));
        assert_eq!(b.slots(now + Duration::from_secs(3)), Some(5));
        b.limit = None;
        assert_eq!(
            b.slots(now + Duration::from_secs(4)),
            None,
            "a 429 said no limit"
        );
        b.remaining = Some(2);
        b.reset_at = None;
        assert_eq!(b.slots(now), Some(2));
    }
}
