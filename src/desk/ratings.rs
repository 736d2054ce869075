//! A customer's answer to "How did we do?": checked by the core, stored with the
//! conversation, never reopening it.

use jiff::Timestamp;

use super::{Desk, DeskError};
use crate::core::{rate, ConversationId, Rated, RatingRefused};
use crate::model::UserId;
use crate::store::Change;

/// What became of a press on a rating button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatingOutcome {
    Rated(Rated),
    Refused(RatingRefused),
    /// No such conversation (any more).
    Unknown,
}

impl Desk {
    /// `by` pressed `score` under the rating request of `conversation`. Stored durably
    /// before the thank-you, so a rating the customer was thanked for is kept.
    pub fn rate(
        &self,
        conversation: ConversationId,
        by: UserId,
        score: u8,
        now: Timestamp,
    ) -> Result<RatingOutcome, DeskError> {
        let turn = self.conversation_lock(conversation);
        let Some(conv) = self.store.conversation(conversation)? else {
            return Ok(RatingOutcome::Unknown);
        };
        let (next, rated) = match rate(&conv, by, score, now) {
            Ok(done) => done,
            Err(refused) => return Ok(RatingOutcome::Refused(refused)),
        };
        if !matches!(rated, Rated::Same(_)) {
            self.store.commit(&Change {
                wake_at: crate::core::wake_at(&next, &self.policy),
                wait: next.waits,
                now: Some(now),
                // `/stats` shows ratings from the statistics, so the entry changes with it.
                stats: Some(self.stats_entry(&next)),
                conversation: Some(next),
                ..Change::default()
            })?;
            drop(turn);
            self.store.flush()?;
        }
        Ok(RatingOutcome::Rated(rated))
    }
}
