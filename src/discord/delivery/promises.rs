//! Promise reminders: a DM to the staff member who promised a later answer, quoting their
//! words and linking the conversation; once the promise is long overdue (the core decides),
//! the owners and backup people hear of it too. To the staff channel, mentioning them, when
//! someone cannot be DMed.

use super::{Delivery, DeliveryError};
use crate::desk::Pending;
use crate::discord::notice;
use crate::discord::outbound::{short_hash, Button};
use crate::model::UserId;

impl Delivery {
    pub(super) async fn remind_promise(
        &self,
        p: &Pending,
        number: u32,
        step: u32,
        escalated: bool,
    ) -> Result<(), DeliveryError> {
        let Some(conv) = self.desk.conversation(p.record.conversation)? else {
            return Ok(());
        };
        // Kept, or replaced by a newer promise, since the reminder fell due: nothing to say.
        let Some(promise) = conv
            .promise
            .as_ref()
            .filter(|_| conv.promises_made == number)
        else {
            return Ok(());
        };
        let now = self.clock.now();
        let open = vec![vec![Button::Link {
            label: "Open".to_string(),
            url: conv.place.jump_link(conv.id),
        }]];
        // A resend after a crash carries the same nonce, and Discord drops it.
        let hash = short_hash(p.key.as_bytes());
        let text = notice::promise_reminder(&conv, promise, step, now);
        self.notify_one(Some(promise.by), &text, &format!("p{hash}"), open.clone())
            .await?;
        if !escalated {
            return Ok(());
        }
        let mut others: Vec<UserId> = self.owners.clone();
        if let Some(e) = &self.desk.policy().escalation {
            others.extend(e.to.iter().copied());
        }
        others.sort_unstable();
        others.dedup();
        others.retain(|u| *u != promise.by);
        let text = notice::promise_overdue(&conv, promise, now);
        for who in others {
            let nonce = format!("P{hash}{}", who.0 % 1000);
            self.notify_one(Some(who), &text, &nonce, open.clone())
                .await?;
        }
        Ok(())
    }
}
