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
        let link = conv.place.jump_link(conv.id);
        let open = vec![vec![Button::Link {
            label: "Open".to_string(),
            url: link.clone(),
        }]];
        // A resend soon after a crash carries the same nonce, and Discord drops it; after
        // longer, each recipient's DM is read first.
        let hash = short_hash(p.key.as_bytes());
        let mut sends = vec![(
            promise.by,
            notice::promise_reminder(&conv, promise, step, now),
            format!("p{hash}"),
        )];
        if escalated {
            let mut others: Vec<UserId> = self.owners.clone();
            if let Some(e) = &self.desk.policy().escalation {
                others.extend(e.to.iter().copied());
            }
            others.sort_unstable();
            others.dedup();
            others.retain(|u| *u != promise.by);
            let text = notice::promise_overdue(&conv, promise, step, now);
            for who in others {
                sends.push((who, text.clone(), format!("P{hash}{}", who.0 % 1000)));
            }
        }
        let check = self
            .may_be_on_discord(p)
            .then(|| self.me.get().copied())
            .flatten();
        for (who, text, nonce) in sends {
            if let Some(me) = check {
                let head = notice::promise_head(&text);
                let shows = |t: &str| t.starts_with(head) && t.lines().last() == Some(&link);
                if self.shown_to(me, who, p.record.created_at, shows).await == Some(true) {
                    tracing::info!(
                        conversation = conv.id.0,
                        "promise reminder already on Discord; not sending it again"
                    );
                    continue;
                }
            }
            self.notify_one(Some(who), &text, &nonce, open.clone())
                .await?;
        }
        Ok(())
    }
}
