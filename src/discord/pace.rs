//! The bot's global request budget. Discord lets a bot make 50 requests per second in all,
//! across every route ("Global Rate Limit", https://discord.com/developers/docs/topics/rate-limits),
//! and answers more with 429s that count towards the invalid-request ban (10,000 per 10 minutes).
//! Every REST call that counts against the limit takes a slot here before it leaves, highest
//! [`Priority`] first, so a burst is paced instead of refused; a global 429 pauses everyone.
//!
//! Interaction callbacks and follow-ups are exempt from the global limit (same page), so
//! command and button answers do not wait here.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

use crate::sync::LockExt;

/// Discord's global limit: requests per [`GLOBAL_WINDOW`], per bot.
pub const DISCORD_GLOBAL_LIMIT: usize = 50;
/// The window of [`DISCORD_GLOBAL_LIMIT`].
pub const GLOBAL_WINDOW: Duration = Duration::from_secs(1);

/// Who goes first when requests compete for the global budget. A new kind of message picks
/// the level it belongs to; within a level, first come first served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// What a person is waiting for right now: acknowledgements, and the lookups on their way.
    Now = 0,
    /// Owner notices and digests, relays, closing messages and other outbox deliveries.
    Soon = 1,
    /// Catch-up reads, history checks before a resend, command registration.
    Later = 2,
}

const LEVELS: usize = 3;

/// The shared budget: at most `limit` requests in any `window` as Discord counts them.
#[derive(Clone)]
pub struct Pacer(Arc<Inner>);

struct Inner {
    limit: usize,
    window: Duration,
    state: Mutex<Budget>,
    /// A request finished: the dispatcher may be waiting for one.
    finished: Notify,
    /// Slots handed out so far.
    taken: AtomicU64,
}

/// The pure bookkeeping of the budget (time is passed in).
///
/// Discord counts a request when it arrives, which is some time after it was let go here
/// and before its answer is back. So a request counts from when it is let go until a window
/// after its answer: however slow the way there, no window on Discord's side can hold more
/// than `limit` of them.
struct Budget {
    /// Requests let go whose answer is not back yet.
    in_flight: usize,
    /// When the answers of the latest requests came back, oldest first (those within a window).
    finished: VecDeque<Instant>,
    /// Until when a global 429 told everyone to wait.
    paused_until: Option<Instant>,
    waiting: [VecDeque<oneshot::Sender<Slot>>; LEVELS],
    /// Whether a task is handing out slots to the waiting.
    dispatching: bool,
}

/// When the next slot may be let go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Free {
    Now,
    At(Instant),
    /// When an answer comes back: every slot of the budget is in flight.
    AfterAnAnswer,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            in_flight: 0,
            finished: VecDeque::new(),
            paused_until: None,
            waiting: Default::default(),
            dispatching: false,
        }
    }

    fn free_at(&mut self, now: Instant, limit: usize, window: Duration) -> Free {
        if let Some(until) = self.paused_until {
            if until > now {
                return Free::At(until);
            }
            self.paused_until = None;
        }
        while self
            .finished
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.finished.pop_front();
        }
        if self.in_flight + self.finished.len() < limit {
            return Free::Now;
        }
        match self.finished.front() {
            Some(oldest) => Free::At(*oldest + window),
            None => Free::AfterAnAnswer,
        }
    }

    fn grant(&mut self) {
        self.in_flight += 1;
    }

    fn finish(&mut self, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.finished.push_back(now);
    }

    fn nobody_waiting(&self) -> bool {
        self.waiting.iter().all(VecDeque::is_empty)
    }

    /// The first waiter of the most urgent level, skipping those who gave up.
    fn next_waiter(&mut self) -> Option<oneshot::Sender<Slot>> {
        for level in &mut self.waiting {
            while let Some(tx) = level.pop_front() {
                if !tx.is_closed() {
                    return Some(tx);
                }
            }
        }
        None
    }
}

/// One request's place in the budget: held while the request is on its way and its answer
/// read; dropping it starts the request's window.
pub struct Slot(Option<Pacer>);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(pacer) = self.0.take() {
            pacer.0.state.locked().finish(Instant::now());
            pacer.0.finished.notify_one();
        }
    }
}

impl Pacer {
    /// Discord's global limit.
    pub fn discord() -> Pacer {
        Pacer::per_second(DISCORD_GLOBAL_LIMIT)
    }

    /// `limit` requests per second.
    pub fn per_second(limit: usize) -> Pacer {
        Pacer::new(limit, GLOBAL_WINDOW)
    }

    pub fn new(limit: usize, window: Duration) -> Pacer {
        Pacer(Arc::new(Inner {
            limit: limit.max(1),
            window,
            state: Mutex::new(Budget::new()),
            finished: Notify::new(),
            taken: AtomicU64::new(0),
        }))
    }

    /// Waits for a slot in the global budget; hold it until the request's answer is read.
    /// Cancel-safe: a caller that stops waiting takes no slot.
    pub async fn slot(&self, priority: Priority) -> Slot {
        let rx = {
            let mut b = self.0.state.locked();
            if !b.dispatching
                && b.nobody_waiting()
                && b.free_at(Instant::now(), self.0.limit, self.0.window) == Free::Now
            {
                b.grant();
                self.0.taken.fetch_add(1, Ordering::Relaxed);
                return Slot(Some(self.clone()));
            }
            let (tx, rx) = oneshot::channel();
            b.waiting[priority as usize].push_back(tx);
            if !b.dispatching {
                b.dispatching = true;
                tokio::spawn(self.clone().dispatch());
            }
            rx
        };
        // An error means the dispatcher is gone (the runtime is shutting down): go ahead
        // rather than hang.
        rx.await.unwrap_or(Slot(None))
    }

    /// Hands out slots to the waiting, most urgent first, as the budget allows.
    async fn dispatch(self) {
        loop {
            let free = {
                let mut b = self.0.state.locked();
                let free = b.free_at(Instant::now(), self.0.limit, self.0.window);
                if free == Free::Now {
                    let Some(tx) = b.next_waiter() else {
                        b.dispatching = false;
                        return;
                    };
                    b.grant();
                    match tx.send(Slot(Some(self.clone()))) {
                        Ok(()) => {
                            self.0.taken.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(mut unsent) => {
                            // Gave up meanwhile: the slot was never used.
                            unsent.0 = None;
                            b.in_flight -= 1;
                        }
                    }
                }
                free
            };
            match free {
                Free::Now => {}
                Free::At(at) => tokio::time::sleep_until(at).await,
                Free::AfterAnAnswer => self.0.finished.notified().await,
            }
        }
    }

    /// How many requests could take a slot at once now, with nobody ahead of them: what the
    /// budget has left in its window, less the requests already waiting for it. Delivery
    /// merges acknowledgements when this is less than it has to send.
    pub fn room(&self) -> usize {
        let mut b = self.0.state.locked();
        let now = Instant::now();
        if b.free_at(now, self.0.limit, self.0.window) != Free::Now {
            return 0;
        }
        let used = b.in_flight + b.finished.len();
        let waiting: usize = b.waiting.iter().map(VecDeque::len).sum();
        self.0.limit.saturating_sub(used).saturating_sub(waiting)
    }

    /// How many slots were handed out so far: one per request sent (each attempt of a
    /// retried one), for tests that check no request leaves without one.
    pub fn slots_taken(&self) -> u64 {
        self.0.taken.load(Ordering::Relaxed)
    }

    /// A global 429: nobody starts a request before `wait` has passed.
    pub fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut b = self.0.state.locked();
        if b.paused_until.is_none_or(|u| u < until) {
            b.paused_until = Some(until);
        }
    }

    /// Waits out a global pause, if one is on, without taking a slot.
    pub async fn paused(&self) {
        let until = self.0.state.locked().paused_until;
        if let Some(until) = until {
            tokio::time::sleep_until(until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_room_is_what_the_window_has_left_less_those_waiting() {
        let pacer = Pacer::new(3, Duration::from_secs(60));
        assert_eq!(pacer.room(), 3);
        let a = pacer.slot(Priority::Now).await;
        assert_eq!(pacer.room(), 2);
        drop(a);
        assert_eq!(pacer.room(), 2, "a finished request counts for a window");
        let _b = pacer.slot(Priority::Now).await;
        let _c = pacer.slot(Priority::Now).await;
        assert_eq!(pacer.room(), 0);
    }

    const W: Duration = Duration::from_secs(1);

    #[test]
    fn a_request_counts_from_its_start_until_a_window_after_its_answer() {
        let mut b = Budget::new();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(b.free_at(t0, 3, W), Free::Now);
            b.grant();
        }
        assert_eq!(
            b.free_at(t0, 3, W),
            Free::AfterAnAnswer,
            "all three on their way"
        );
        let answered = t0 + Duration::from_millis(300);
        b.finish(answered);
        assert_eq!(
            b.free_at(answered, 3, W),
            Free::At(answered + W),
            "not when it was sent: a window after its answer"
        );
        assert_eq!(b.free_at(answered + W, 3, W), Free::Now);
        b.grant();
        assert_eq!(b.free_at(answered + W, 3, W), Free::AfterAnAnswer);
    }

    #[test]
    fn a_global_pause_holds_everyone_until_it_ends() {
        let mut b = Budget::new();
        let t0 = Instant::now();
        b.paused_until = Some(t0 + Duration::from_secs(2));
        assert_eq!(b.free_at(t0, 3, W), Free::At(t0 + Duration::from_secs(2)));
        assert_eq!(b.free_at(t0 + Duration::from_secs(2), 3, W), Free::Now);
        assert_eq!(b.paused_until, None);
    }

    #[test]
    fn the_most_urgent_waiter_goes_first_and_those_who_left_are_skipped() {
        let mut b = Budget::new();
        let (later, mut later_rx) = oneshot::channel();
        let (gone, gone_rx) = oneshot::channel();
        let (now, mut now_rx) = oneshot::channel();
        b.waiting[Priority::Later as usize].push_back(later);
        b.waiting[Priority::Now as usize].push_back(gone);
        b.waiting[Priority::Now as usize].push_back(now);
        drop(gone_rx);
        let _ = b.next_waiter().expect("one").send(Slot(None));
        assert!(
            now_rx.try_recv().is_ok(),
            "the urgent one, not the one who left"
        );
        assert!(later_rx.try_recv().is_err());
        let _ = b.next_waiter().expect("two").send(Slot(None));
        assert!(later_rx.try_recv().is_ok());
        assert!(b.next_waiter().is_none());
        assert!(b.nobody_waiting());
    }

    #[tokio::test]
    async fn slots_go_out_in_priority_order_as_answers_come_back() {
        let pacer = Pacer::new(1, Duration::ZERO);
        let first = pacer.slot(Priority::Later).await;
        let (tx, mut order) = tokio::sync::mpsc::unbounded_channel();
        let mut tasks = Vec::new();
        for priority in [Priority::Later, Priority::Soon, Priority::Now] {
            let (waiter, tx) = (pacer.clone(), tx.clone());
            tasks.push(tokio::spawn(async move {
                let slot = waiter.slot(priority).await;
                let _ = tx.send(priority);
                drop(slot);
            }));
            // Queued one after the other, so arrival order is known.
            while pacer.0.state.locked().waiting[priority as usize].is_empty() {
                tokio::task::yield_now().await;
            }
        }
        drop(first);
        for t in tasks {
            tokio::time::timeout(Duration::from_secs(10), t)
                .await
                .expect("each got its slot")
                .expect("no panic");
        }
        let got: Vec<Priority> = std::iter::from_fn(|| order.try_recv().ok()).collect();
        assert_eq!(got, [Priority::Now, Priority::Soon, Priority::Later]);
        assert_eq!(pacer.0.state.locked().in_flight, 0);
        assert_eq!(pacer.slots_taken(), 4, "each slot handed out is counted");
    }
}
