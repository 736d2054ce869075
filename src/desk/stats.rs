//! The statistics behind `/stats`, the charts and the weekly digest: each conversation's
//! entry, computed here with the business hours (the store keeps and aggregates it), and the
//! summaries read from the aggregate.

use jiff::Timestamp;

use super::Desk;
use crate::core::{Conversation, ConversationId};
use crate::hours::BusinessHours;
use crate::stats::{Entry, Summary, Window};
use crate::store::Store;

/// Builds the statistics of a database written before they were kept, once.
pub(super) fn build_once(store: &Store, hours: &BusinessHours) {
    match store.stats_built() {
        Ok(true) => {}
        Ok(false) => {
            let started = std::time::Instant::now();
            match store.build_stats(|c| Entry::of(c, hours)) {
                Ok(n) => tracing::info!(
                    conversations = n,
                    ms = started.elapsed().as_millis() as u64,
                    "built the reply-time statistics from the stored conversations"
                ),
                Err(e) => {
                    tracing::error!(error = %e, "could not build the reply-time statistics; /stats counts only new conversations until the next start")
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot read whether the statistics were built"),
    }
}

impl Desk {
    /// A conversation's line in the statistics, counted in the business hours.
    pub(super) fn stats_entry(&self, conv: &Conversation) -> Entry {
        Entry::of(conv, &self.policy.hours)
    }

    /// The last `days` days up to `now`, against the reply target.
    pub fn stats_summary(&self, days: u32, now: Timestamp) -> Summary {
        let w = Window::last_days(days, self.reply_target, &self.policy.hours, now);
        self.summarize(&w)
    }

    /// Copies the window's days out of the aggregate, then summarizes them without the lock.
    fn summarize(&self, w: &Window<'_>) -> Summary {
        let (first, last) = w.day_range();
        let days = self.store.with_stats(|agg| agg.copy_days(first, last));
        Summary::compute(&days, w)
    }

    /// Conversations opened from `since` to `until`, judged at `now`.
    pub fn stats_between(&self, since: Timestamp, until: Timestamp, now: Timestamp) -> Summary {
        let w = Window {
            since,
            until,
            target: self.reply_target,
            hours: &self.policy.hours,
            now,
        };
        self.summarize(&w)
    }

    /// The conversations waiting for a personal reply now, oldest opened first: the index's
    /// waiting set, which the queue reads too (ids are snowflakes of the opening messages).
    pub fn waiting_now(&self) -> Vec<ConversationId> {
        self.store.waiting()
    }

    /// Bytes the statistics hold in memory, roughly.
    pub fn stats_memory(&self) -> usize {
        self.store.with_stats(|agg| agg.memory_bytes())
    }
}
