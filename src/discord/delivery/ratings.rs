//! "How did we do?": the rating request, posted once in the conversation's own place with a
//! row of buttons, pinging only its customer.

use super::{sent_id, Delivery, DeliveryError};
use crate::core::RatingForm;
use crate::desk::Pending;
use crate::discord::outbound::{message_body, Action, Button, Outbound};
use crate::model::{ChannelId, MessageId, UserId};

impl Delivery {
    pub(super) async fn ask_rating(
        &self,
        p: &Pending,
        channel: ChannelId,
        reply_to: Option<MessageId>,
        customer: UserId,
        text: &str,
        form: RatingForm,
    ) -> Result<(), DeliveryError> {
        let conversation = p.record.conversation;
        let buttons = vec![form
            .choices()
            .into_iter()
            .map(|(score, label)| Button::Action {
                action: Action::Rate(score),
                conversation,
                label: label.to_string(),
            })
            .collect()];
        let body = message_body(&Outbound {
            text,
            ping: Some(customer),
            reply_to: reply_to.map(|m| (channel, m)),
            // One request per conversation: a resend after a crash carries the same nonce,
            // and Discord drops it.
            nonce: format!("q{conversation}"),
            buttons,
        });
        let sent = self.post(channel, &body).await?;
        self.record(conversation, sent_id(&sent), text)?;
        Ok(())
    }
}
