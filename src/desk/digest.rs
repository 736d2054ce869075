//! The weekly digest: queued when the core says it is due (one outbox entry per owner,
//! flushed before it is handed to delivery, so it survives a crash and goes out once), and
//! what it reports when it is sent.

use jiff::{SignedDuration, Timestamp};

use super::{Desk, DeskError};
use crate::core::digest::{weekly_digest, DigestDue};
use crate::core::Conversation;
use crate::stats::Summary;
use crate::store::Pending;

/// How many waiting customers a digest names; the rest are counted.
const WAITING_LISTED: usize = 10;

/// What one weekly digest says.
#[derive(Clone, Debug)]
pub struct DigestReport {
    /// Last week's figures.
    pub week: Summary,
    /// Its slowest first replies (at most three), slowest first.
    pub slowest: Vec<(Conversation, SignedDuration)>,
    /// Who is waiting for a personal reply now, longest first (at most ten).
    pub waiting: Vec<Conversation>,
    pub waiting_total: usize,
}

impl Desk {
    /// Queues the weekly digest if it is due at `now`; returns its entries to deliver.
    pub fn weekly_digest(&self, now: Timestamp) -> Result<Vec<Pending>, DeskError> {
        if !self.weekly_digest || self.staff.owners.is_empty() {
            return Ok(Vec::new());
        }
        match weekly_digest(&self.policy.hours, now, self.store.digest_week()?) {
            DigestDue::Nothing => Ok(Vec::new()),
            DigestDue::Begin(week) => {
                self.store.begin_digests(week)?;
                self.store.flush()?;
                Ok(Vec::new())
            }
            DigestDue::Send(week) => {
                let queued = self.store.queue_digests(
                    week.sent_in,
                    &self.staff.owners,
                    week.since,
                    week.until,
                    now,
                )?;
                self.store.flush()?;
                tracing::info!(owners = queued.len(), "weekly digest queued");
                Ok(queued)
            }
        }
    }

    /// What a digest about the conversations opened from `since` to `until` reports at `now`.
    pub fn digest_report(
        &self,
        since: Timestamp,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<DigestReport, DeskError> {
        let week = self.stats_between(since, until, now);
        let mut slowest = Vec::new();
        for (id, took) in &week.slowest {
            slowest.extend(self.store.conversation(*id)?.map(|c| (c, *took)));
        }
        let waiting_ids = self.waiting_now();
        let mut waiting = Vec::new();
        for id in waiting_ids.iter().take(WAITING_LISTED) {
            waiting.extend(self.store.conversation(*id)?);
        }
        Ok(DigestReport {
            week,
            slowest,
            waiting,
            waiting_total: waiting_ids.len(),
        })
    }
}
