//! Forgetting a customer (`/forget`): each of their conversations deleted under its own
//! lock, so a message of theirs arriving meanwhile is handled before or after, never
//! halfway; made durable before the answer says it is done.

use super::{Desk, DeskError};
use crate::model::UserId;
use crate::store::Forgotten;

impl Desk {
    /// What forgetting `customer` would delete.
    pub fn footprint(&self, customer: UserId) -> Result<Forgotten, DeskError> {
        Ok(self.store.customer_footprint(customer)?)
    }

    /// Deletes everything stored of `customer`; the statistics keep their counts.
    pub fn forget(&self, customer: UserId) -> Result<Forgotten, DeskError> {
        let mut out = Forgotten::default();
        for id in self.store.customer_conversation_ids(customer) {
            let _turn = self.conversation_lock(id);
            out.messages += self.store.forget_conversation(id)?;
            out.conversations += 1;
        }
        self.store.forget_dm_channel(customer)?;
        self.store.flush()?;
        tracing::info!(
            conversations = out.conversations,
            messages = out.messages,
            "forgot a customer at their request"
        );
        Ok(out)
    }
}
