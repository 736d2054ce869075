//! Catch-up's state: how far each channel's history was read, and the customers' DM channels
//! (bots cannot list those on Discord).

use super::{keys, Change, Store, StoreError};
use crate::model::{ChannelId, MessageId, UserId};

impl Store {
    pub fn checkpoint(&self, channel: ChannelId) -> Result<Option<MessageId>, StoreError> {
        Ok(self
            .checkpoints
            .get(keys::id(channel.0))?
            .and_then(|v| keys::read_u64(&v, 0))
            .map(MessageId))
    }

    /// Moves a channel's catch-up cursor forward (never back), over durable state only.
    ///
    /// Everything catch-up saw up to `to` was committed before this call (stored now or
    /// claimed by a live handler earlier), but maybe not flushed. Flushing first means a
    /// durable checkpoint never points past a message whose conversation a crash could
    /// still lose: after a crash, catch-up re-reads from the checkpoint and rebuilds it.
    pub fn advance_checkpoint(&self, channel: ChannelId, to: MessageId) -> Result<(), StoreError> {
        self.flush()?;
        self.commit(&Change {
            checkpoint: Some((channel, to)),
            ..Change::default()
        })?;
        Ok(())
    }

    /// Remembers a customer's DM channel: bots cannot list their DM channels later.
    /// Returns whether it was new (the caller makes that durable before answering: without
    /// it, catch-up could not find this DM after a crash).
    pub fn remember_dm_channel(
        &self,
        user: UserId,
        channel: ChannelId,
    ) -> Result<bool, StoreError> {
        let value = keys::id(channel.0);
        let old = self.dm_channels.insert(keys::id(user.0), &value)?;
        Ok(old.as_deref() != Some(value.as_slice()))
    }

    pub fn dm_channels(&self) -> Result<Vec<(UserId, ChannelId)>, StoreError> {
        let mut out = Vec::new();
        for entry in self.dm_channels.iter() {
            let (k, v) = entry?;
            if let (Some(u), Some(c)) = (keys::read_u64(&k, 0), keys::read_u64(&v, 0)) {
                out.push((UserId(u), ChannelId(c)));
            }
        }
        Ok(out)
    }
}
