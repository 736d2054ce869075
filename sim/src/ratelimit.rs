//! Per-channel fixed-window rate limit for message creation, with Discord's headers.

use std::collections::HashMap;
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
}

impl RateLimiter {
    pub fn new(cfg: Option<RateLimit>) -> RateLimiter {
        RateLimiter {
            cfg,
            windows: HashMap::new(),
        }
    }

    /// Counts a message creation in `channel`; `None` when rate limiting is off.
    pub fn check(&mut self, channel: u64, now: Instant) -> Option<Decision> {
        let cfg = self.cfg?;
        let w = self.windows.entry(channel).or_insert(Window {
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
            bucket: format!("sim-messages-{channel:x}"),
        })
    }
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
}
