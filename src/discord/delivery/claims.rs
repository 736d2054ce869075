//! The customer told who took their conversation: one message per change of holder, posted in
//! the conversation's own place (a reply to their opening message in a shared channel),
//! pinging only them.

use super::{sent_id, Delivery, DeliveryError};
use crate::desk::Pending;
use crate::discord::outbound::{message_body, short_hash, Outbound};
use crate::model::{ChannelId, MessageId, UserId};

impl Delivery {
    pub(super) async fn tell_claimed(
        &self,
        p: &Pending,
        channel: ChannelId,
        reply_to: Option<MessageId>,
        customer: UserId,
        text: &str,
    ) -> Result<(), DeliveryError> {
        let body = message_body(&Outbound {
            text,
            ping: Some(customer),
            reply_to: reply_to.map(|m| (channel, m)),
            // One entry per change of holder: a resend after a crash carries the same nonce,
            // and Discord drops it.
            nonce: format!("h{}", short_hash(p.key.as_bytes())),
            buttons: Vec::new(),
        });
        let sent = self.post(channel, &body).await?;
        self.record(p.record.conversation, sent_id(&sent), text)?;
        Ok(())
    }
}
