//! The staff's earlier notices about a conversation, edited when its holder changes: on
//! everyone's notice but the holder's, the row's "I'll take it" becomes "✋ Ana has it", and
//! it comes back when nobody has it. No new DM is sent. Each edit shows the conversations as
//! they are when it is sent, so a retry after a crash, or two edits that cross, end on the
//! same rows.

use super::notices::conversation_buttons;
use super::{Delivery, DeliveryError};
use crate::desk::Pending;
use crate::discord::outbound::rows_body;
use crate::discord::pace::Priority;

/// Discord's "Unknown Message": the reader deleted the notice.
const UNKNOWN_MESSAGE: u64 = 10008;

impl Delivery {
    pub(super) async fn show_holder(&self, p: &Pending) -> Result<(), DeliveryError> {
        let id = p.record.conversation;
        for (message, post) in self.desk.notice_posts(id)? {
            let mut rows = Vec::with_capacity(post.rows.len());
            for conv in &post.rows {
                // A conversation gone from the store keeps no row.
                if let Some(c) = self.desk.conversation(*conv)? {
                    rows.push(conversation_buttons(&c, post.named, post.recipient));
                }
            }
            let edited = self
                .api
                .edit_message(Priority::Soon, post.channel, message, &rows_body(&rows))
                .await;
            match edited {
                Ok(_) => {}
                Err(e) if e.code() == Some(UNKNOWN_MESSAGE) => {
                    self.desk.notice_post_gone(id, message)?;
                }
                // One notice Discord will not let us change (its DM closed since) does not
                // hold back the others.
                Err(e) if e.is_final() => {
                    tracing::warn!(conversation = id.0, message = message.0, error = %e, "could not show who has a conversation on an earlier notice");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}
