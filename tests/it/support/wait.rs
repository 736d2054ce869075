//! Waiting in tests: for a condition with a deadline, never for a fixed time; and the one
//! kind of wait that has no condition, a quiet period before checking that something did not
//! happen.

use std::fmt::Display;
use std::time::Duration;

use tokio::time::Instant;

/// How long a test waits for something that should happen (a slow, busy CI machine included).
pub const WAIT: Duration = Duration::from_secs(15);

/// How often a condition is checked again.
const POLL: Duration = Duration::from_millis(20);

/// What `probe` returns once it holds, checked every 20 ms for up to `within`; `None` if it
/// never did. For callers that report a timeout themselves (with more detail than a message).
pub async fn wait_for<T>(within: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// What `probe` returns once it holds; fails the test, naming `what` was awaited, if it does
/// not within [`WAIT`].
pub async fn eventually<T>(what: impl Display, probe: impl AsyncFnMut() -> Option<T>) -> T {
    match wait_for(WAIT, probe).await {
        Some(v) => v,
        None => panic!("timed out after {WAIT:?} waiting until {what}"),
    }
}

/// A short quiet period, for a check that something does NOT happen (a second acknowledgement,
/// a reminder while snoozed, an answer from a stopped bot). An absence sends no signal to wait
/// for: the only way to observe it is to give the bot the time it would need to do the wrong
/// thing, then look. Tests first wait for every positive condition they can.
pub async fn quiet_period(long: Duration) {
    tokio::time::sleep(long).await;
}

/// The usual quiet period: several of the bot's 50 ms ticks, and more than a message's
/// round trip through the simulator.
pub const QUIET: Duration = Duration::from_millis(300);
