//! The DM relay: a customer's DM copied into the conversation's private staff thread (opened
//! on the first message), and a staff reply there sent back to the customer's DM.

use super::{Delivery, DeliveryError};
use crate::desk::Pending;
use crate::discord::outbound::{message_body, Outbound};
use crate::discord::pace::Priority;
use crate::model::{ChannelId, MessageId};

impl Delivery {
    /// Copies a customer's DM into the conversation's private staff thread, opening the
    /// thread on the first message.
    pub(super) async fn relay_in(
        &self,
        p: &Pending,
        source: MessageId,
        text: &str,
        thread_name: &str,
    ) -> Result<(), DeliveryError> {
        let Some(staff) = self.staff_channel else {
            return Ok(());
        };
        let conversation = p.record.conversation;
        // One thread per conversation, even when two relays are delivered at once.
        let _one = self.relay_lock.lock().await;
        let known = self.desk.conversation(conversation)?.and_then(|c| c.relay);
        let thread = match known {
            Some(t) => t,
            None => {
                let thread = self
                    .api
                    .start_private_thread(Priority::Soon, staff, thread_name)
                    .await?;
                self.desk.relay_opened(conversation, thread)?;
                thread
            }
        };
        let body = message_body(&Outbound {
            text,
            ping: None,
            reply_to: None,
            nonce: format!("i{source}"),
            buttons: Vec::new(),
        });
        self.post(thread, &body).await?;
        Ok(())
    }

    /// Sends a staff reply to the customer's DM; it pings nobody (a DM notifies anyway).
    pub(super) async fn relay_out(
        &self,
        p: &Pending,
        source: MessageId,
        channel: ChannelId,
        text: &str,
    ) -> Result<(), DeliveryError> {
        self.post_quiet(p, channel, text, format!("u{source}"))
            .await
    }
}
