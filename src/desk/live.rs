//! A live message from the gateway: stored first, then delivered. "Acknowledged" means
//! "stored": no acknowledgement goes out for a conversation the store does not hold.
//!
//! The commit is not flushed before the acknowledgement (Discord's history is the log, and
//! catch-up rebuilds what a crash loses), except for a customer's first DM: bots cannot list
//! their DM channels, so that message and its channel are made durable before the answer.

use std::future::Future;

use jiff::Timestamp;

use super::{Arrival, Desk, DeskError, Handled, Received};
use crate::model::{Incoming, Place, UserId};
use crate::store::Pending;

impl Desk {
    /// Handles a message from the gateway: commits it, then hands what it must send to
    /// `deliver`.
    pub async fn receive<F, D>(
        &self,
        msg: &Incoming,
        me: UserId,
        now: Timestamp,
        deliver: F,
    ) -> Result<Received, DeskError>
    where
        F: FnOnce(Vec<Pending>) -> D,
        D: Future<Output = ()>,
    {
        let mut new_dm_channel = false;
        if let Place::Dm { channel } = msg.place {
            match self.store.remember_dm_channel(msg.author.id, channel) {
                Ok(new) => new_dm_channel = new,
                Err(e) => tracing::warn!(error = %e, "could not remember a DM channel"),
            }
        }
        match self.handle_message(msg, me, now, Arrival::Live)? {
            Handled::Stored {
                conversation,
                deliver: items,
            } => {
                let deliveries = items.len();
                if new_dm_channel {
                    if let Err(e) = self.store.flush_async().await {
                        tracing::error!(error = %e, "could not flush a new DM conversation");
                    }
                }
                deliver(items).await;
                Ok(Received::Stored {
                    conversation,
                    deliveries,
                })
            }
            other => Ok(Received::Nothing(other)),
        }
    }
}
