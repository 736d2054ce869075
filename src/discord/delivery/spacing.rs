//! When a channel's lane may send next. Discord allows a channel about 5 messages per 5 s
//! window. Spent as they come, a busy channel's slots all go in the window's first instants
//! and everyone after them waits for the next window, up to its whole length. So a channel
//! that received more customers in the last window than a window holds is sent to evenly
//! instead: one message every `period / limit` (1 s on Discord), never sooner after the last,
//! carrying everyone queued since, merged. That also keeps a busy channel at one request a
//! second of the bot's global budget (50 a second), so forty busy channels still leave room
//! for the owners' notices. A quiet channel is answered at once, reply by reply.
//! Pure: the lane passes in the time, the window, its recent arrivals and its last send.

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

/// The lane's turn at `now`, given its window, how many acknowledgements were queued in it
/// within the last window's length (the current ones included) and when it last sent.
pub(super) fn turn(now: Instant, window: &Window, recent: usize, last: Option<Instant>) -> Turn {
    let (Some(remaining), Some(limit)) = (window.remaining, window.limit) else {
        return Turn::Now(window.remaining);
    };
    let busy = recent as u64 > limit;
    let spacing = match window.period {
        Some(period) if busy && limit > 0 => period / limit as u32,
        _ => return Turn::Now(Some(remaining)),
    };
    if let Some(next) = last.map(|t| t + spacing).filter(|t| *t > now) {
        return Turn::At(next);
    }
    let Some(reset) = window.reset_at.filter(|r| *r > now) else {
        // A fresh window starts with this message: the rest of it is spread after it.
        return Turn::Now(Some(1));
    };
    // The slots to keep, one for each spacing step still to come before the reset.
    let left = reset.duration_since(now);
    let keep = steps(left, spacing).saturating_sub(1);
    if remaining > keep {
        // One message, whatever the window saved up: a burst of them would only take the
        // global budget from the other channels.
        Turn::Now(Some(1))
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
        assert_eq!(turn(now, &w, 2, None), Turn::Now(Some(4)));
        assert_eq!(
            turn(now, &w, 5, None),
            Turn::Now(Some(4)),
            "a window's worth is not busy"
        );
    }

    #[test]
    fn nothing_known_yet_sends_as_before() {
        let now = Instant::now();
        assert_eq!(turn(now, &Window::default(), 50, None), Turn::Now(None));
        let w = Window {
            remaining: Some(3),
            ..Window::default()
        };
        assert_eq!(
            turn(now, &w, 50, None),
            Turn::Now(Some(3)),
            "no limit announced"
        );
    }

    #[test]
    fn a_busy_channel_spreads_its_slots_one_a_second() {
        let now = Instant::now();
        // A fresh window: one message now, the rest after it.
        assert_eq!(
            turn(now, &window(5, None, now), 6, None),
            Turn::Now(Some(1))
        );
        // Just after the first of the window: the next in a second.
        let w = window(4, Some(Duration::from_millis(4_900)), now);
        assert_eq!(
            turn(now, &w, 9, None),
            Turn::At(now + Duration::from_millis(900))
        );
        // A second later it may go, one message.
        let later = now + Duration::from_millis(900);
        assert_eq!(turn(later, &w, 9, None), Turn::Now(Some(1)));
        // The window's last slot, a second before its reset.
        let w = window(1, Some(Duration::from_millis(900)), now);
        assert_eq!(turn(now, &w, 9, None), Turn::Now(Some(1)));
        // Never sooner than a second after the lane's last message, whatever the window.
        let sent = now - Duration::from_millis(300);
        assert_eq!(
            turn(now, &window(5, None, now), 9, Some(sent)),
            Turn::At(sent + S)
        );
        // A quiet channel is not held back by its last message.
        assert_eq!(
            turn(now, &window(4, None, now), 2, Some(sent)),
            Turn::Now(Some(4))
        );
    }

    #[test]
    fn slots_saved_up_in_a_busy_window_still_go_one_at_a_time() {
        let now = Instant::now();
        // Three left with two seconds to go: one message now, the next a second later.
        let w = window(3, Some(2 * S), now);
        assert_eq!(turn(now, &w, 9, None), Turn::Now(Some(1)));
        assert_eq!(turn(now, &w, 9, Some(now)), Turn::At(now + S));
    }
}
