//! Forgetting a customer who asks for it: every conversation of theirs, its messages, its
//! outbox entries and notices are deleted. What stays holds nothing of them: the statistics
//! entries (times, topic, rating: counts for `/stats`, no words or ids of theirs) and each
//! deleted message's claim, so catch-up, reading Discord's history after a restart, does
//! not store what it finds of theirs there again.

use super::keys;
use super::{Store, StoreError};
use crate::core::ConversationId;
use crate::model::{MessageId, UserId};

/// What forgetting a customer deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub conversations: u64,
    /// Messages in them, notes included.
    pub messages: u64,
}

/// Who a claim kept after forgetting points to: no conversation.
const NOBODY: ConversationId = MessageId(0);

impl Store {
    /// What forgetting `customer` would delete ([`Store::forget_conversation`] for each of
    /// their conversations), without deleting it.
    pub fn customer_footprint(&self, customer: UserId) -> Result<Forgotten, StoreError> {
        let mut out = Forgotten::default();
        for id in self.index().of_customer(customer).collect::<Vec<_>>() {
            out.conversations += 1;
            out.messages += 1 + self.messages.scan_prefix(keys::id(id.0)).count() as u64;
        }
        Ok(out)
    }

    /// Deletes conversation `id` and everything stored with it (see the module's comment);
    /// returns how many messages it held. The caller flushes.
    pub fn forget_conversation(&self, id: ConversationId) -> Result<u64, StoreError> {
        let key = keys::id(id.0);
        // The opening message was claimed by the head, which goes: a claim of its own.
        self.put_claim(id, NOBODY)?;
        let mut messages = 1;
        for entry in self.messages.scan_prefix(key) {
            let (k, _) = entry?;
            if let Some(msg) = keys::read_u64(&k, 8) {
                self.put_claim(MessageId(msg), NOBODY)?;
            }
            self.messages.remove(k)?;
            messages += 1;
        }
        for entry in self.outbox.scan_prefix(key).keys() {
            self.outbox.remove(entry?)?;
        }
        self.forget_notice_posts(id)?;
        if let Some(record) = self.record(id)? {
            if let Some(at) = record.first_reply_at {
                self.replies
                    .remove(keys::pair(at.as_millisecond() as u64, id.0))?;
            }
        }
        self.forget_stats_wait(id)?;
        self.conversations.remove(key)?;
        if let Some(old) = self.stored_head(id)? {
            self.heads.remove(key)?;
            if let Some(head) = super::index::Head::decode(id, &old) {
                self.index_mut().remove(&head);
            }
        }
        Ok(messages)
    }

    /// Forgets the DM channel frontdesk knew for `customer`.
    pub fn forget_dm_channel(&self, customer: UserId) -> Result<(), StoreError> {
        self.dm_channels.remove(keys::id(customer.0))?;
        Ok(())
    }

    /// A customer's conversations, oldest first, by id.
    pub fn customer_conversation_ids(&self, customer: UserId) -> Vec<ConversationId> {
        self.index().of_customer(customer).collect()
    }
}
