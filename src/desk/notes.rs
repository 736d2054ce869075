//! Internal notes through the desk: the core counts a note (and shows a DM's in its staff
//! thread), and the note is stored in the transcript in the same commit, claimed by its id,
//! so a repeated `/note` or form post stores it once.

use jiff::Timestamp;

use super::{outbox_item, Desk, DeskError};
use crate::core::{step, wake_at, Command, Conversation, ConversationId, Input, Note};
use crate::model::Speaker;
use crate::store::{Change, Committed, MessageRecord, Pending, RECORD_VERSION};

impl Desk {
    /// Adds `note` to conversation `id`: the conversation after it and what to deliver, or
    /// `None` when there is no such conversation. A note already stored changes nothing.
    pub fn note(
        &self,
        id: ConversationId,
        note: Note,
        now: Timestamp,
    ) -> Result<Option<(Conversation, Vec<Pending>)>, DeskError> {
        if self.store.conversation(id)?.is_none() {
            return Ok(None);
        }
        let turn = self.conversation_lock(id);
        let Some(conv) = self.store.conversation(id)? else {
            return Ok(None);
        };
        let record = MessageRecord {
            v: RECORD_VERSION,
            id: note.id,
            author: note.by,
            author_name: note.name.clone(),
            speaker: Speaker::Note,
            content: Some(note.text.clone()),
            at: now,
        };
        let cx = self.context(now, None, "", false, 0);
        let out = step(Some(&conv), Input::Command(Command::Note(note)), &cx);
        let Some(next) = out.conversation else {
            return Ok(Some((conv, Vec::new())));
        };
        let change = Change {
            claim: Some(record.id),
            wake_at: wake_at(&next, &self.policy),
            message: Some(record),
            outbox: out.effects.iter().map(outbox_item).collect(),
            wait: next.waits,
            now: Some(now),
            stats: Some(self.stats_entry(&next)),
            conversation: Some(next.clone()),
            ..Change::default()
        };
        let committed = self.store.commit(&change)?;
        drop(turn);
        match committed {
            Committed::Stored { deliver } => {
                self.store.flush()?;
                Ok(Some((next, deliver)))
            }
            Committed::AlreadyClaimed => Ok(Some((conv, Vec::new()))),
        }
    }
}
