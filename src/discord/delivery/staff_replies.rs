//! A staff reply written outside Discord (the web page, a saved reply), posted where the
//! customer reads: signed, pinging only them, answering their latest message in a server
//! channel. One entry per reply: a resend carries the same nonce, and one that may already
//! be on Discord (left from before a restart, or its answer lost) is looked for in the
//! channel first, as Discord forgets nonces after a few minutes.

use super::{Delivery, DeliveryError};
use crate::desk::Pending;
use crate::discord::outbound::{message_body, short_hash, Outbound};
use crate::model::{ChannelId, MessageId, UserId};

impl Delivery {
    pub(super) async fn send_reply(
        &self,
        p: &Pending,
        channel: ChannelId,
        reply_to: Option<MessageId>,
        ping: Option<UserId>,
        text: &str,
    ) -> Result<(), DeliveryError> {
        if self.may_be_on_discord(p) {
            if let Some(me) = self.me.get().copied() {
                let since = p.record.created_at;
                if self.posted_in(me, channel, since, |t| t == text).await == Some(true) {
                    tracing::info!(
                        conversation = p.record.conversation.0,
                        "staff reply already on Discord; not sending it again"
                    );
                    return Ok(());
                }
            }
        }
        let body = message_body(&Outbound {
            text,
            ping,
            reply_to: reply_to.map(|m| (channel, m)),
            nonce: format!("y{}", short_hash(p.key.as_bytes())),
            buttons: Vec::new(),
        });
        self.post(channel, &body).await?;
        Ok(())
    }
}
