//! What staff write through the desk rather than in a Discord message: internal notes and
//! replies (the web page, saved replies). The core decides what each does; the desk stores
//! it in the transcript in the same commit, claimed by its id, so a repeated form post or
//! command stores it once.

use jiff::Timestamp;

use super::{outbox_item, Desk, DeskError};
use crate::core::{
    replies, step, wake_at, Command, Conversation, ConversationId, Input, Note, Reply,
};
use crate::model::{MessageId, Speaker, UserId};
use crate::store::{Change, Committed, MessageRecord, Pending, RECORD_VERSION};

/// A note or reply about to be stored: who wrote what, as its transcript entry.
struct Written {
    id: MessageId,
    by: UserId,
    name: String,
    text: String,
    speaker: Speaker,
}

impl Desk {
    /// Adds `note` to conversation `id`: the conversation after it and what to deliver, or
    /// `None` when there is no such conversation. A note already stored changes nothing.
    pub fn note(
        &self,
        id: ConversationId,
        note: Note,
        now: Timestamp,
    ) -> Result<Option<(Conversation, Vec<Pending>)>, DeskError> {
        let written = Written {
            id: note.id,
            by: note.by,
            name: note.name.clone(),
            text: note.text.clone(),
            speaker: Speaker::Note,
        };
        self.write(id, written, now, |_| Command::Note(note))
    }

    /// Sends a reply `by` wrote (see `core::replies`) in conversation `id`, answering the
    /// customer's latest message; as [`Desk::note`]. A blocked customer's conversation is
    /// returned unchanged, with nothing to deliver.
    pub fn reply(
        &self,
        id: ConversationId,
        by: UserId,
        name: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<Option<(Conversation, Vec<Pending>)>, DeskError> {
        let reply_id = crate::core::notes::new_id(now);
        let written = Written {
            id: reply_id,
            by,
            name: name.to_string(),
            text: text.to_string(),
            speaker: Speaker::Staff,
        };
        self.write(id, written, now, |conv| {
            Command::Reply(Reply {
                id: reply_id,
                by,
                name: name.to_string(),
                text: text.to_string(),
                reply_to: replies::reply_target(conv, self.latest_customer_message(conv)),
            })
        })
    }

    /// The id of the customer's latest stored message in `conv`.
    fn latest_customer_message(&self, conv: &Conversation) -> Option<MessageId> {
        let messages = self.store.messages(conv).ok()?;
        messages
            .into_iter()
            .filter(|m| m.speaker == Speaker::Customer)
            .map(|m| m.id)
            .max()
    }

    /// Runs the command `make` builds for the conversation, storing `written` with it.
    fn write(
        &self,
        id: ConversationId,
        written: Written,
        now: Timestamp,
        make: impl FnOnce(&Conversation) -> Command,
    ) -> Result<Option<(Conversation, Vec<Pending>)>, DeskError> {
        let turn = self.conversation_lock(id);
        let Some(conv) = self.store.conversation(id)? else {
            return Ok(None);
        };
        let cx = self.context(now, None, "", false, 0);
        let out = step(Some(&conv), Input::Command(make(&conv)), &cx);
        let Some(next) = out.conversation else {
            return Ok(Some((conv, Vec::new())));
        };
        let record = MessageRecord {
            v: RECORD_VERSION,
            id: written.id,
            author: written.by,
            author_name: written.name,
            speaker: written.speaker,
            content: Some(written.text),
            at: now,
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
