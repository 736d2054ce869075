//! Messages in a conversation's own place: acknowledgements sent one by one (opening the
//! conversation's thread first in thread mode) and closing messages.

use super::{sent_id, Delivery, DeliveryError};
use crate::desk::Pending;
use crate::discord::api::ApiError;
use crate::discord::outbound::{message_body, short_hash, Outbound};
use crate::discord::pace::Priority;
use crate::model::{ChannelId, MessageId, UserId};

/// "A thread has already been created for this message".
const THREAD_EXISTS: u64 = 160004;

impl Delivery {
    pub(super) async fn ack(
        &self,
        p: &Pending,
        channel: ChannelId,
        reply_to: MessageId,
        customer: UserId,
        text: &str,
        open_thread: Option<&str>,
    ) -> Result<(), DeliveryError> {
        let conversation = p.record.conversation;
        let (target, reply) = match open_thread {
            Some(name) => {
                let known = self.desk.conversation(conversation)?.and_then(|c| c.thread);
                let thread = match known {
                    Some(t) => t,
                    None => {
                        let t = self.start_thread(channel, reply_to, name).await?;
                        self.desk.thread_opened(conversation, t)?;
                        t
                    }
                };
                (thread, None)
            }
            None => (channel, Some((channel, reply_to))),
        };
        let body = message_body(&Outbound {
            text,
            ping: Some(customer),
            reply_to: reply,
            nonce: format!("a{reply_to}"),
            buttons: Vec::new(),
        });
        let sent = self.post_as(Priority::Now, target, &body).await?;
        self.record(conversation, sent_id(&sent), text)?;
        Ok(())
    }

    pub(super) async fn close(
        &self,
        p: &Pending,
        channel: ChannelId,
        text: &str,
    ) -> Result<(), DeliveryError> {
        let nonce = format!("c{}", short_hash(p.key.as_bytes()));
        self.post_quiet(p, channel, text, nonce).await
    }

    async fn start_thread(
        &self,
        channel: ChannelId,
        message: MessageId,
        name: &str,
    ) -> Result<ChannelId, ApiError> {
        let result = self
            .api
            .start_thread_on(Priority::Now, channel, message, name)
            .await;
        match result {
            Ok(thread) => Ok(thread),
            // A thread started on a message has the message's id.
            Err(e) if e.code() == Some(THREAD_EXISTS) => Ok(ChannelId(message.0)),
            Err(e) => Err(e),
        }
    }
}
