//! When a channel's lane may send next. Discord allows a channel about 5 messages per 5 s
//! window. Spent as they come, a busy channel's slots all go in the window's first instants
//! and everyone after them waits for the next window, up to its whole length. So in a channel
//! that received more customers in the last window than a window holds, the slots left are
//! spread evenly instead, one every `period / limit` (1 s on Discord), each message carrying
//! everyone queued since the last one. A quiet channel is answered at once, reply by reply.
//! Pure: the lane passes in the time, the window and its recent arrivals.

use std::time::Duration;

use tokio::time::Instant;

use crate::discord::rest::Window;

/// What the lane may do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Turn {
    /// Send now, in at most this many messages (`None`: no limit is known).
    Now(Option<u64>),
    /// Wait until then.
    At(Instant),
}

/// The lane's turn at `now`, given its window and how many acknowledgements were queued in it
/// within the last window's length (the current ones included).
pub(super) fn turn(now: Instant, window: &Window, recent: usize) -> Turn {
    let (Some(remaining), Some(limit)) = (window.remaining, window.limit) else {
        return Turn::Now(window.remaining);
    };
    let busy = recent as u64 > limit;
    let spacing = match window.period {
        Some(period) if busy && limit > 0 => period / limit as u32,
        _ => return Turn::Now(Some(remaining)),
    };
    let Some(reset) = window.reset_at.filter(|r| *r > now) else {
        // A fresh window starts with this message: the rest of it is spread after it.
        return Turn::Now(Some(1));
    };
    // The slots to keep, one for each spacing step still to come before the reset.
    let left = reset.duration_since(now);
    let keep = steps(left, spacing).saturating_sub(1);
    if remaining > keep {
        Turn::Now(Some(remaining - keep))
    } else {
        // `keep` falls to `remaining - 1` once the reset is `remaining` steps away.
        let wait = left.saturating_sub(spacing * remaining as u32);
        Turn::At(now + wait)
    }
}

/// How many steps of `spacing` it takes to cover `left`, rounded up.
fn steps(left: Duration, spacing: Duration) -> u64 {
    if spacing.is_zero() {
        return 0;
    }
    let n = left.as_nanos().div_ceil(spacing.as_nanos());
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn window(remaining: u64, reset_in: Option<Duration>, now: Instant) -> Window {
        Window {
            remaining: Some(remaining),
            limit: Some(5),
            reset_at: reset_in.map(|d| now + d),
            period: Some(5 * S),
        }
    }

    #[test]
    fn a_quiet_channel_spends_its_window_as_customers_come() {
        let now = Instant::now();
        let w = window(4, Some(Duration::from_millis(4_800)), now);
        assert_eq!(turn(now, &w, 2), Turn::Now(Some(4)));
        assert_eq!(
            turn(now, &w, 5),
            Turn::Now(Some(4)),
            "a window's worth is not busy"
        );
    }

    #[test]
    fn nothing_known_yet_sends_as_before() {
        let now = Instant::now();
        assert_eq!(turn(now, &Window::default(), 50), Turn::Now(None));
        let w = Window {
            remaining: Some(3),
            ..Window::default()
        };
        assert_eq!(turn(now, &w, 50), Turn::Now(Some(3)), "no limit announced");
    }

    #[test]
    fn a_busy_channel_spreads_its_slots_one_a_second() {
        let now = Instant::now();
        // A fresh window: one message now, the rest after it.
        assert_eq!(turn(now, &window(5, None, now), 6), Turn::Now(Some(1)));
        // Just after the first of the window: the next in a second.
        let w = window(4, Some(Duration::from_millis(4_900)), now);
        assert_eq!(turn(now, &w, 9), Turn::At(now + Duration::from_millis(900)));
        // A second later it may go, one message.
        let later = now + Duration::from_millis(900);
        assert_eq!(turn(later, &w, 9), Turn::Now(Some(1)));
        // The window's last slot, a second before its reset.
        let w = window(1, Some(Duration::from_millis(900)), now);
        assert_eq!(turn(now, &w, 9), Turn::Now(Some(1)));
    }

    #[test]
    fn slots_saved_up_in_a_busy_window_may_go_together() {
        let now = Instant::now();
        // Three left with two seconds to go: one step's slot is kept, two may go now.
        let w = window(3, Some(2 * S), now);
        assert_eq!(turn(now, &w, 9), Turn::Now(Some(2)));
    }
}
