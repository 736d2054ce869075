//! The weekly digest's outbox entries and the week the last one was queued in (`meta` key
//! `digest_week`). The entries are written before the week: a crash in between queues the
//! same entries again under the same keys, which changes nothing.

use jiff::Timestamp;

use super::keys::{self, OutboxKey};
use super::records::{OutboxItem, OutboxRecord, RECORD_VERSION};
use super::{from_json, to_json, Pending, Store, StoreError};
use crate::core::digest::WeekId;
use crate::model::{MessageId, UserId};

const WEEK: &str = "digest_week";

/// Digest entries belong to no conversation: they sort first in the outbox.
const NO_CONVERSATION: MessageId = MessageId(0);

impl Store {
    /// The week the last digest was queued in (or counting began), if any.
    pub fn digest_week(&self) -> Result<Option<WeekId>, StoreError> {
        Ok(self
            .meta
            .get(WEEK)?
            .and_then(|v| v.as_ref().try_into().ok().map(i32::from_be_bytes)))
    }

    /// Records `week` as done without queueing anything (the first week frontdesk sees).
    pub fn begin_digests(&self, week: WeekId) -> Result<(), StoreError> {
        self.meta.insert(WEEK, &week.to_be_bytes())?;
        Ok(())
    }

    /// Queues one digest per owner for `week`, then records the week. Returns the entries as
    /// stored (an entry already there is kept, not replaced).
    pub fn queue_digests(
        &self,
        week: WeekId,
        owners: &[UserId],
        since: Timestamp,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<Pending>, StoreError> {
        let mut out = Vec::new();
        for &owner in owners {
            let record = OutboxRecord {
                v: RECORD_VERSION,
                conversation: NO_CONVERSATION,
                created_at: now,
                item: OutboxItem::Digest {
                    owner,
                    since,
                    until,
                },
            };
            let key = keys::outbox(
                NO_CONVERSATION,
                u32::try_from(week).unwrap_or(0),
                b'w',
                owner.0,
            );
            let stored = match self.outbox.compare_and_swap(
                key,
                None as Option<&[u8]>,
                Some(to_json(&record)?),
            )? {
                Ok(()) => Some(record),
                Err(there) => there
                    .current
                    .and_then(|v| from_json(&v, "outbox entry").ok()),
            };
            out.extend(stored.map(|record| Pending {
                key: OutboxKey(key.to_vec()),
                record,
            }));
        }
        self.meta.insert(WEEK, &week.to_be_bytes())?;
        Ok(out)
    }
}
