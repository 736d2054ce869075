//! What slash commands and staff threads ask of the desk: conversations by id, by thread
//! and by customer, all of them, and the owner's away notice.

use super::Desk;
use crate::core::{Away, Conversation, ConversationKey};
use crate::model::{ChannelId, UserId};
use crate::store::StoreError;

impl Desk {
    /// The latest conversation held in a thread (its own thread, a forum post, or a DM's
    /// private staff thread).
    pub fn conversation_in_thread(
        &self,
        thread: ChannelId,
    ) -> Result<Option<Conversation>, StoreError> {
        self.store.latest_for(&ConversationKey::Thread(thread))
    }

    /// A customer's conversations, newest first.
    pub fn customer_conversations(
        &self,
        customer: UserId,
    ) -> Result<Vec<Conversation>, StoreError> {
        self.store.customer_conversations(customer)
    }

    /// Every readable conversation, oldest first (an unreadable one is logged and skipped).
    pub fn all_conversations(&self) -> Vec<Conversation> {
        self.store
            .conversations()
            .filter_map(|c| {
                c.map_err(|e| tracing::error!(error = %e, "skipping an unreadable conversation"))
                    .ok()
            })
            .collect()
    }

    /// The owner's away notice, if set.
    pub fn away(&self) -> Option<Away> {
        self.store.away()
    }

    /// Sets or clears the owner's away notice, durably.
    pub fn set_away(&self, away: Option<&Away>) -> Result<(), StoreError> {
        self.store.set_away(away)?;
        self.store.flush()
    }
}
