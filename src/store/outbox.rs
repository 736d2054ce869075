//! The outbox: what must reach Discord, one entry per thing that must happen once, until it
//! is marked delivered.

use jiff::Timestamp;

use super::keys::OutboxKey;
use super::records::{OutboxItem, OutboxRecord, RECORD_VERSION};
use super::{from_json, keys, Change, Pending, Store, StoreError};
use crate::core::{ConversationId, NoticeKind};

impl Store {
    /// Everything stored but not yet delivered to Discord, oldest conversation first.
    pub fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        decode_entries(self.outbox.iter())
    }

    /// What is stored but not yet delivered for one conversation. Outbox keys start with the
    /// conversation id, so this reads only that conversation's entries: a backlog of other
    /// conversations (a burst, an outage) does not slow down the next acknowledgement.
    pub fn pending_for(&self, conversation: ConversationId) -> Result<Vec<Pending>, StoreError> {
        decode_entries(self.outbox.scan_prefix(keys::id(conversation.0)))
    }

    pub fn is_pending(&self, key: &OutboxKey) -> Result<bool, StoreError> {
        Ok(self.outbox.contains_key(&key.0)?)
    }

    /// Marks an outbox entry delivered.
    pub fn complete(&self, key: &OutboxKey) -> Result<(), StoreError> {
        self.outbox.remove(&key.0)?;
        Ok(())
    }
}

/// The outbox entries a change stores, with their keys.
pub(super) fn outbox_records(change: &Change) -> Vec<([u8; 21], OutboxRecord)> {
    let Some(c) = &change.conversation else {
        return Vec::new();
    };
    let created_at = change.now.unwrap_or_else(Timestamp::now);
    change
        .outbox
        .iter()
        .map(|item| {
            let (tag, step) = outbox_tag(item);
            let record = OutboxRecord {
                v: RECORD_VERSION,
                conversation: c.id,
                created_at,
                item: item.clone(),
            };
            (keys::outbox(c.id, change.wait, tag, step), record)
        })
        .collect()
}

pub(super) fn outbox_tag(item: &OutboxItem) -> (u8, u64) {
    match item {
        OutboxItem::Ack { .. } => (b'a', 0),
        OutboxItem::Notice { kind } => match kind {
            NoticeKind::Opened => (b'o', 0),
            NoticeKind::Reopened => (b'r', 0),
            NoticeKind::FollowUp => (b'f', 0),
            NoticeKind::Reminder(n) => (b'm', u64::from(*n)),
        },
        OutboxItem::Close { .. } => (b'c', 0),
        // One per relayed message: the message id keeps them apart and in order.
        OutboxItem::RelayIn { source, .. } => (b'i', source.0),
        OutboxItem::RelayOut { source, .. } => (b'u', source.0),
        // One per conversation: the core asks only once.
        OutboxItem::AskRating { .. } => (b'q', 0),
        // One per owner (the week is the key's wait).
        OutboxItem::Digest { owner, .. } => (b'w', owner.0),
        // One per step of each promise.
        OutboxItem::PromiseReminder { number, step, .. } => {
            (b'p', (u64::from(*number) << 32) | u64::from(*step))
        }
        // One per change of holder.
        OutboxItem::Claimed { number, .. } => (b'h', u64::from(*number)),
        // One per reply: its id keeps them apart and in order.
        OutboxItem::Reply { source, .. } => (b'y', source.0),
        // One per change of holder (a release apart from the claim before it).
        OutboxItem::ShowHolder { change } => (b'e', *change),
    }
}

/// Outbox entries as read from sled; an unreadable one is logged and skipped, so one damaged
/// record cannot hold up every delivery behind it.
fn decode_entries(
    entries: impl Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>,
) -> Result<Vec<Pending>, StoreError> {
    let mut out = Vec::new();
    for entry in entries {
        let (k, v) = entry?;
        match from_json::<OutboxRecord>(&v, "outbox entry") {
            Ok(record) => out.push(Pending {
                key: OutboxKey(k.to_vec()),
                record,
            }),
            Err(e) => tracing::error!(error = %e, "skipping unreadable outbox entry"),
        }
    }
    Ok(out)
}
