//! A channel's queue of acknowledgements and its one sender (see `lane` for how they are sent).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::desk::Pending;
use crate::model::{MessageId, UserId};
use crate::sync::LockExt;

/// Acknowledgements waiting to be sent in one channel, and whether a task is sending them.
#[derive(Default)]
pub(super) struct Lane(Mutex<LaneState>);

#[derive(Default)]
pub(super) struct LaneState {
    pub(super) queue: Vec<Queued>,
    pub(super) sending: bool,
    /// When the acknowledgements of the last minute were queued, oldest first: whether the
    /// channel is busier than its window (see `spacing`).
    arrivals: VecDeque<Instant>,
    /// When the sender last took a batch to send.
    pub(super) last_sent: Option<Instant>,
}

/// How far back arrivals are remembered: longer than any channel window.
const REMEMBERED: Duration = Duration::from_secs(60);

impl LaneState {
    /// Queues `items`, noting when they came.
    pub(super) fn push(&mut self, items: Vec<Queued>, now: Instant) {
        while self
            .arrivals
            .front()
            .is_some_and(|t| now.duration_since(*t) > REMEMBERED)
        {
            self.arrivals.pop_front();
        }
        self.arrivals.extend(items.iter().map(|_| now));
        self.queue.extend(items);
    }

    /// Puts `items` back at the head of the queue (they came before what is queued now).
    pub(super) fn put_back(&mut self, mut items: Vec<Queued>) {
        items.append(&mut self.queue);
        self.queue = items;
    }

    /// Acknowledgements queued within `within` of `now`.
    pub(super) fn arrived_within(&self, now: Instant, within: Duration) -> usize {
        self.arrivals
            .iter()
            .rev()
            .take_while(|t| now.duration_since(**t) <= within)
            .count()
    }
}

impl Lane {
    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, LaneState> {
        self.0.locked()
    }
}

/// Gives up a lane's sending role however the sender ends, so a sender dropped mid-send (a
/// task cancelled at shutdown) cannot leave the lane with items and nobody to send them: the
/// next item queued there starts a new sender.
pub(super) struct Sending<'a>(pub(super) &'a Lane);

impl Sending<'_> {
    /// The sender gave the role up itself, under the lock that saw the queue empty; by now
    /// another task may hold it, which dropping the guard would wrongly end.
    pub(super) fn given_up(self) {
        std::mem::forget(self);
    }
}

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        self.0.state().sending = false;
    }
}

/// An acknowledgement in a lane.
pub(super) struct Queued {
    pub(super) p: Pending,
    pub(super) message: MessageId,
    pub(super) customer: UserId,
    pub(super) text: String,
}
