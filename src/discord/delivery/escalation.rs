//! Escalation: reminders of a long wait also reach the configured backup people, saying who
//! was reminded already and how long the customer has waited. Whether a notice escalates is
//! the core's decision, taken at the time the reminder fell due (the outbox entry's time).

use super::notices::Blocks;
use super::{Delivery, DeliveryError};
use crate::core::{escalates, notice_recipients};
use crate::desk::{OutboxItem, Pending};
use crate::discord::notice;

impl Delivery {
    /// Sends the escalated ones among `notices` to every backup person, as one digest each.
    pub(super) async fn escalate(
        &self,
        notices: &[Pending],
        nonce_base: &str,
    ) -> Result<(), DeliveryError> {
        let Some(escalation) = self.desk.policy().escalation.clone() else {
            return Ok(());
        };
        let now = self.clock.now();
        let mut blocks = Blocks::default();
        for p in notices {
            let OutboxItem::Notice { kind } = p.record.item else {
                continue;
            };
            let Some(conv) = self.desk.conversation(p.record.conversation)? else {
                continue;
            };
            if !escalates(&conv, kind, p.record.created_at, &escalation) {
                continue;
            }
            // Whoever has a claimed conversation was reminded too (the core's choice).
            let reminded = notice_recipients(
                &conv,
                kind,
                p.record.created_at,
                &self.owners,
                self.desk.policy(),
            );
            let text = notice::escalated(kind, &conv, &reminded, now);
            blocks.add(conv, text);
        }
        // An owner named as a backup too has had the reminder itself: one message is enough.
        for backup in escalation
            .to
            .into_iter()
            .filter(|b| !self.owners.contains(b))
        {
            for (i, part) in blocks.messages(Some(backup)).iter().enumerate() {
                let nonce = format!("e{nonce_base}{i}{}", backup.0 % 1000);
                self.send_part(Some(backup), part, &nonce).await?;
            }
        }
        Ok(())
    }
}
