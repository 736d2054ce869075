//! The staff's earlier notices about a conversation, edited when its holder changes: on
//! everyone's notice but the holder's, the row's "I'll take it" becomes "✋ Ana has it", and
//! it comes back when nobody has it. No new DM is sent. Each edit shows the conversations as
//! they are when it is sent, so a retry after a crash, or two edits that cross, end on the
//! same rows.

use super::notices::conversation_buttons;
use super::{Delivery, DeliveryError};
use crate::desk::{DeskError, NoticePost, Pending};
use crate::discord::outbound::{rows_body, Button};
use crate::discord::pace::Priority;
use crate::model::MessageId;

/// Discord's "Unknown Message": the reader deleted the notice.
const UNKNOWN_MESSAGE: u64 = 10008;

impl Delivery {
    pub(super) async fn show_holder(&self, p: &Pending) -> Result<(), DeliveryError> {
        let id = p.record.conversation;
        for (message, post) in self.desk.notice_posts(id)? {
            let rows = self.current_rows(&post)?;
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

    /// The rows of buttons `post` shows, as its conversations are now.
    pub(super) fn current_rows(&self, post: &NoticePost) -> Result<Vec<Vec<Button>>, DeskError> {
        let mut rows = Vec::with_capacity(post.rows.len());
        for conv in &post.rows {
            // A conversation gone from the store keeps no row.
            if let Some(c) = self.desk.conversation(*conv)? {
                rows.push(conversation_buttons(&c, post.named, post.recipient));
            }
        }
        Ok(rows)
    }

    /// A notice just sent whose conversations changed holder while it was on its way (its
    /// rows were made before): edited at once, as that change's own edit may have run before
    /// this notice was remembered.
    pub(super) async fn catch_up_rows(
        &self,
        message: MessageId,
        post: &NoticePost,
        sent: &[Vec<Button>],
    ) {
        let rows = match self.current_rows(post) {
            Ok(rows) if rows != sent => rows,
            _ => return,
        };
        let edited = self
            .api
            .edit_message(Priority::Soon, post.channel, message, &rows_body(&rows))
            .await;
        if let Err(e) = edited {
            tracing::warn!(message = message.0, error = %e, "could not show who has a conversation on a notice just sent");
        }
    }
}
