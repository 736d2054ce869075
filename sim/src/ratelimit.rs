//! Per-channel fixed-window rate limits for message creation and for history reads (two
//! buckets, as on Discord), and the bot's global limit over all routes, each answered with
//! Discord's headers.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::config::RateLimit;
use crate::snowflake::now_ms;

#[derive(Debug)]
struct Window {
    started: Instant,
    used: u32,
}

/// The outcome of counting one request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    pub reset_after: Duration,
    pub bucket: String,
}

impl Decision {
    /// `X-RateLimit-*` headers (plus `Retry-After`/`Scope` when limited).
    pub fn headers(&self) -> Vec<(String, String)> {
        let after = self.reset_after.as_secs_f64();
        let reset = now_ms() as f64 / 1000.0 + after;
        let mut h = vec![
            ("X-RateLimit-Limit".into(), self.limit.to_string()),
            ("X-RateLimit-Remaining".into(), self.remaining.to_string()),
            ("X-RateLimit-Reset".into(), format!("{reset:.3}")),
            ("X-RateLimit-Reset-After".into(), format!("{after:.3}")),
            ("X-RateLimit-Bucket".into(), self.bucket.clone()),
        ];
        if !self.allowed {
            h.push((
                "Retry-After".into(),
                format!("{}", after.ceil().max(1.0) as u64),
            ));
            h.push(("X-RateLimit-Scope".into(), "user".into()));
            h.push(("X-RateLimit-Global".into(), "false".into()));
        }
        h
    }
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    cfg: Option<RateLimit>,
    windows: HashMap<u64, Window>,
    history: Option<RateLimit>,
    history_windows: HashMap<u64, Window>,
    global: Option<RateLimit>,
    /// When each request the global limit counted arrived, within its window, oldest first.
    global_seen: VecDeque<Instant>,
}

/// A global 429: how long the bot must wait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlobalRefusal {
    pub retry_after: Duration,
}

impl GlobalRefusal {
    /// Discord's global 429 headers: no per-route window, the scope and the wait.
    pub fn headers(&self) -> Vec<(String, String)> {
        vec![
            (
                "Retry-After".into(),
                format!("{}", self.retry_after.as_secs_f64().ceil().max(1.0) as u64),
            ),
            ("X-RateLimit-Global".into(), "true".into()),
            ("X-RateLimit-Scope".into(), "global".into()),
        ]
    }
}

/// Whether a route counts against the global limit: Discord exempts the interaction
/// endpoints (the callback, and the follow-ups and edits under the interaction's webhook).
pub fn counts_globally(path: &str) -> bool {
    !(path.starts_with("/interactions/") || path.starts_with("/webhooks/"))
}

impl RateLimiter {
    pub fn new(cfg: Option<RateLimit>) -> RateLimiter {
        RateLimiter {
            cfg,
            windows: HashMap::new(),
            history: None,
            history_windows: HashMap::new(),
            global: None,
            global_seen: VecDeque::new(),
        }
    }

    /// The same with a limit on history reads (`None`: none).
    pub fn with_history(mut self, history: Option<RateLimit>) -> RateLimiter {
        self.history = history;
        self
    }

    /// The same with a global limit (`None`: none).
    pub fn with_global(mut self, global: Option<RateLimit>) -> RateLimiter {
        self.global = global;
        self
    }

    /// Counts a request against the global limit: `Err` when it is over, which (as on
    /// Discord) is not counted. `Ok` when it is under or the limit is off.
    pub fn check_global(&mut self, now: Instant) -> Result<(), GlobalRefusal> {
        let Some(cfg) = self.global else {
            return Ok(());
        };
        while self
            .global_seen
            .front()
            .is_some_and(|t| now.duration_since(*t) >= cfg.window)
        {
            self.global_seen.pop_front();
        }
        match self.global_seen.front() {
            Some(oldest) if self.global_seen.len() >= cfg.limit as usize => Err(GlobalRefusal {
                retry_after: cfg.window.saturating_sub(now.duration_since(*oldest)),
            }),
            _ => {
                self.global_seen.push_back(now);
                Ok(())
            }
        }
    }

    /// Counts a message creation in `channel`; `None` when rate limiting is off.
    pub fn check(&mut self, channel: u64, now: Instant) -> Option<Decision> {
        let cfg = self.cfg?;
        count(&mut self.windows, cfg, channel, now, "messages")
    }

    /// Counts a history read in `channel`; `None` when its limit is off.
    pub fn check_history(&mut self, channel: u64, now: Instant) -> Option<Decision> {
        let cfg = self.history?;
        count(&mut self.history_windows, cfg, channel, now, "history")
    }
}

/// Counts one request in `channel`'s fixed window of `windows`.
fn count(
    windows: &mut HashMap<u64, Window>,
    cfg: RateLimit,
    channel: u64,
    now: Instant,
    route: &str,
) -> Option<Decision> {
    let w = windows.entry(channel).or_insert(Window {
        started: now,
        used: 0,
    });
    if now.duration_since(w.started) >= cfg.window {
        w.started = now;
        w.used = 0;
    }
    let reset_after = cfg.window.saturating_sub(now.duration_since(w.started));
    let allowed = w.used < cfg.limit;
    if allowed {
        w.used += 1;
    }
    Some(Decision {
        allowed,
        limit: cfg.limit,
        remaining: cfg.limit - w.used,
        reset_after,
        bucket: format!("sim-{route}-{channel:x}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixth_in_window_is_refused() {
        let mut rl = RateLimiter::new(Some(RateLimit::default()));
        let t = Instant::now();
        for i in 0..5 {
            let d = rl.check(1, t).expect("on");
            assert!(d.allowed);
            assert_eq!(d.remaining, 4 - i);
        }
        assert!(!rl.check(1, t).expect("on").allowed);
        assert!(rl.check(2, t).expect("on").allowed);
        assert!(rl.check(1, t + Duration::from_secs(5)).expect("on").allowed);
    }

    #[test]
    fn reading_a_channel_and_posting_there_are_counted_apart() {
        let one = RateLimit {
            limit: 1,
            window: Duration::from_secs(60),
        };
        let mut rl = RateLimiter::new(Some(one)).with_history(Some(one));
        let t = Instant::now();
        let read = rl.check_history(1, t).expect("on");
        assert!(read.allowed);
        assert_eq!(read.remaining, 0);
        assert!(read.bucket.starts_with("sim-history-"));
        let post = rl.check(1, t).expect("on");
        assert!(post.allowed, "the read used its own window");
        assert_ne!(post.bucket, read.bucket);
        assert!(!rl.check_history(1, t).expect("on").allowed);
        assert!(RateLimiter::new(None).check_history(1, t).is_none());
    }

    #[test]
    fn the_global_limit_counts_any_window_and_says_how_long_to_wait() {
        let mut rl = RateLimiter::new(None).with_global(Some(RateLimit {
            limit: 3,
            window: Duration::from_secs(1),
        }));
        let t = Instant::now();
        let ms = Duration::from_millis;
        for i in 0..3 {
            assert_eq!(rl.check_global(t + ms(i * 100)), Ok(()));
        }
        let refused = rl
            .check_global(t + ms(600))
            .expect_err("the fourth in a second");
        assert_eq!(refused.retry_after, ms(400));
        let h = refused.headers();
        assert!(h.contains(&("X-RateLimit-Global".into(), "true".into())));
        assert!(h.contains(&("X-RateLimit-Scope".into(), "global".into())));
        assert!(h.contains(&("Retry-After".into(), "1".into())));
        // A refused request is not counted: the first leaves the window at 1 s.
        assert_eq!(rl.check_global(t + ms(1000)), Ok(()));
        assert!(rl.check_global(t + ms(1050)).is_err());
        assert!(counts_globally("/channels/1/messages"));
        assert!(!counts_globally("/interactions/1/tok/callback"));
        assert!(!counts_globally("/webhooks/1/tok/messages/@original"));
    }

    #[test]
    fn without_a_global_limit_nothing_is_refused() {
        let mut rl = RateLimiter::new(None);
        let t = Instant::now();
        assert!((0..1000).all(|_| rl.check_global(t).is_ok()));
    }
}
