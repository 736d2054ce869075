//! What the desk knows of one customer: their conversations, the notes the team left on
//! them, and whether they are blocked; read from the in-memory customer index, so a page
//! about a regular reads their conversations only.

use super::{Desk, DeskError, TranscriptEntry};
use crate::core::Conversation;
use crate::model::{Speaker, UserId};
use crate::store::BlockRecord;

/// Everything the customer page shows.
#[derive(Clone, Debug)]
pub struct CustomerFile {
    pub customer: UserId,
    /// Newest first.
    pub conversations: Vec<Conversation>,
    /// Every internal note on them, newest first, with the conversation it is on.
    pub notes: Vec<(Conversation, TranscriptEntry)>,
    pub blocked: Option<BlockRecord>,
}

impl Desk {
    /// The file on `customer`; `None` when frontdesk has no conversation with them.
    pub fn customer_file(&self, customer: UserId) -> Result<Option<CustomerFile>, DeskError> {
        let conversations = self.store.customer_conversations(customer)?;
        if conversations.is_empty() {
            return Ok(None);
        }
        let mut notes = Vec::new();
        for conv in conversations.iter().filter(|c| c.notes > 0) {
            for m in self.store.messages(conv)? {
                if m.speaker == Speaker::Note {
                    notes.push((conv.clone(), TranscriptEntry::from(m)));
                }
            }
        }
        notes.sort_by_key(|n| std::cmp::Reverse(n.1.at));
        Ok(Some(CustomerFile {
            customer,
            conversations,
            notes,
            blocked: self.block_of(customer),
        }))
    }
}
