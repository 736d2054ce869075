//! What catch-up asks of the desk: how far each channel's history has been read, which DM
//! channels to read, and whether a message found there is stored already.

use super::{Desk, DeskError};
use crate::core::ConversationKey;
use crate::model::{ChannelId, MessageId, UserId};

impl Desk {
    /// The last message catch-up handled in `channel`, if it ever read it.
    pub fn catch_up_cursor(&self, channel: ChannelId) -> Result<Option<MessageId>, DeskError> {
        Ok(self.store.checkpoint(channel)?)
    }

    /// Moves a channel's catch-up cursor forward (never back), over durable state only: what
    /// it passes is flushed first, so after a crash catch-up re-reads whatever was lost.
    pub fn advance_catch_up_cursor(
        &self,
        channel: ChannelId,
        to: MessageId,
    ) -> Result<(), DeskError> {
        Ok(self.store.advance_checkpoint(channel, to)?)
    }

    /// Every customer's DM channel frontdesk has seen: bots cannot list them on Discord.
    pub fn known_dm_channels(&self) -> Result<Vec<(UserId, ChannelId)>, DeskError> {
        Ok(self.store.dm_channels()?)
    }

    /// Whether a message is stored: it opened a conversation or was claimed for one.
    pub fn is_stored(&self, msg: MessageId) -> Result<bool, DeskError> {
        Ok(self.store.is_claimed(msg)?)
    }

    /// The private staff threads of the open DM conversations, one per known DM channel
    /// (its latest conversation): catch-up reads them for staff replies written while
    /// frontdesk was away.
    pub fn open_relay_threads(&self) -> Result<Vec<ChannelId>, DeskError> {
        let mut threads = Vec::new();
        for (customer, _) in self.store.dm_channels()? {
            let latest = self.store.latest_for(&ConversationKey::Dm(customer))?;
            if let Some(thread) = latest.filter(|c| c.is_open()).and_then(|c| c.relay) {
                threads.push(thread);
            }
        }
        Ok(threads)
    }
}
