//! One event's writes, applied in an order that makes a crash leave all of them or none
//! that counts, and the changes Discord makes to a stored conversation (its thread, its relay).

use super::keys::OutboxKey;
use super::outbox::outbox_records;
use super::records::{ConversationRecord, ReplyRecord, RECORD_VERSION};
use super::{from_json, index, keys, to_json, Change, Committed, Pending, Store, StoreError};
use crate::core::{Conversation, ConversationId, ConversationKey, State};
use crate::model::{ChannelId, MessageId};

impl Store {
    /// Applies one event's writes, the commit record last (see the comment inside).
    pub fn commit(&self, change: &Change) -> Result<Committed, StoreError> {
        self.note_write(self.write_change(change))
    }

    fn write_change(&self, change: &Change) -> Result<Committed, StoreError> {
        let conv_record = change
            .conversation
            .as_ref()
            .map(|c| ConversationRecord::new(c, change.wake_at));
        let conv_json = conv_record.as_ref().map(to_json).transpose()?;
        // The message that opens a conversation travels in its record (layout 4); the log
        // holds the rest.
        let logged = change.message.as_ref().filter(|m| {
            change
                .conversation
                .as_ref()
                .is_none_or(|c| m.id != c.id || c.opening.is_none())
        });
        let message_json = logged.map(to_json).transpose()?;
        let mut outbox = Vec::new();
        for (key, record) in outbox_records(change) {
            let json = to_json(&record)?;
            outbox.push((key, record, json));
        }
        let reply_json = conv_record
            .as_ref()
            .and_then(|r| {
                r.first_reply_at.map(|at| ReplyRecord {
                    v: RECORD_VERSION,
                    conversation: r.id,
                    topic: r.topic.clone(),
                    opened_at: r.opened_at,
                    first_reply_at: at,
                })
            })
            .map(|r| to_json(&r))
            .transpose()?;

        // No sled transaction (nor batch): both take a process-wide write lock that, once used,
        // turns every later read into a shared-lock acquisition, and under load that lock
        // deadlocked against sled's own flusher. Instead:
        // - Isolation comes from the desk's locks: every change to one conversation, and every
        //   claim of one message, happens under the same stripe lock, so check-then-write is
        //   safe here.
        // - Crash atomicity comes from order: sled recovers a prefix of its log, and one write,
        //   the commit record, comes last, so a durable commit record means the whole change
        //   is durable. A change cut short leaves its message unclaimed, and catch-up stores
        //   it again. The commit record is the message's claim; for the message that opens a
        //   conversation it is the conversation's head instead (a conversation's id is its
        //   first message's id), which saves a write on the path of every new customer.
        let conversation = change.conversation.as_ref().zip(conv_record.as_ref());
        // The head as stored: what the in-memory index holds for this conversation. Read from
        // `heads`, not derived from the old record, so a record left by a change cut short
        // (written, but its head not) counts as new, as the index never saw it.
        let stored_head = match conversation {
            Some((c, _)) => self.stored_head(c.id)?,
            None => None,
        };
        let old_head = stored_head
            .as_ref()
            .zip(conversation)
            .and_then(|(v, (c, _))| decode_head(c.id, v));
        // The message opens this conversation: its head, written below, will be its claim,
        // and the head just read says whether it is already claimed that way.
        let opened_here = conversation.is_some_and(|(c, _)| change.claim == Some(c.id));
        if let Some(msg) = change.claim {
            let claimed = if opened_here {
                self.claimed_besides_head(msg, stored_head.is_some())?
            } else {
                self.is_claimed(msg)?
            };
            if claimed {
                return Ok(Committed::AlreadyClaimed);
            }
        }
        let mut deliver = Vec::new();
        let mut head_write = None;
        if let (Some((c, record)), Some(json)) = (conversation, &conv_json) {
            let id = keys::id(c.id.0);
            let old = self.conversations.insert(id, json.as_slice())?;
            // Before the commit record: a change cut short is stored again by catch-up, and
            // rewriting the same entry changes nothing.
            if let Some(entry) = &change.stats {
                self.put_stats(entry)?;
            }
            if let (Some(m), Some(json)) = (logged, &message_json) {
                self.messages
                    .insert(keys::pair(c.id.0, m.id.0), json.as_slice())?;
            }
            if let (Some(at), Some(json)) = (c.first_reply_at, &reply_json) {
                // Decoded only when there is a first reply to compare: most changes have none.
                let first_reply_is_new = old
                    .and_then(|o| serde_json::from_slice::<ConversationRecord>(&o).ok())
                    .is_none_or(|o| o.first_reply_at.is_none());
                if first_reply_is_new {
                    self.replies.insert(
                        keys::pair(at.as_millisecond() as u64, c.id.0),
                        json.as_slice(),
                    )?;
                }
            }
            for (key, record, json) in outbox {
                // An entry already there may be on its way to Discord: never replace it.
                let stored =
                    match self
                        .outbox
                        .compare_and_swap(key, None as Option<&[u8]>, Some(json))?
                    {
                        Ok(()) => Some(record),
                        Err(there) => there
                            .current
                            .and_then(|v| from_json(&v, "outbox entry").ok()),
                    };
                deliver.extend(stored.map(|record| Pending {
                    key: OutboxKey(key.to_vec()),
                    record,
                }));
            }
            head_write = Some(head_of(record));
            // Nobody takes a resolved conversation: its notices' rows need no more edits. Once,
            // as it is resolved (its head said otherwise), not at each later change.
            if c.state == State::Resolved && !old_head.as_ref().is_some_and(|h| h.resolved) {
                self.forget_notice_posts(c.id)?;
            }
        }
        if let Some((channel, msg)) = change.checkpoint {
            let key = keys::id(channel.0);
            let newer = self
                .checkpoints
                .get(key)?
                .and_then(|v| keys::read_u64(&v, 0))
                .is_none_or(|old| old < msg.0);
            if newer {
                self.checkpoints.insert(key, &keys::id(msg.0))?;
            }
        }
        if let Some(head) = head_write {
            // Rewritten only when the index would change: most updates leave it alone.
            if old_head.as_ref() != Some(&head) {
                self.put_head(&head)?;
            }
            self.index_mut().record(&head, old_head.as_ref());
        }
        if let Some(msg) = change.claim.filter(|_| !opened_here) {
            let owner = change.conversation.as_ref().map_or(msg, |c| c.id);
            self.put_claim(msg, owner)?;
        }
        Ok(Committed::Stored { deliver })
    }

    /// Changes a stored conversation outside the core's events (what Discord assigned to it),
    /// keeping its wake-up time and indexes consistent.
    pub(super) fn update(
        &self,
        id: ConversationId,
        change: impl FnOnce(&mut Conversation),
    ) -> Result<(), StoreError> {
        let Some(record) = self.record(id)? else {
            return Ok(());
        };
        let wake_at = record.wake_at;
        let mut conv = record.into_conversation();
        change(&mut conv);
        self.commit(&Change {
            conversation: Some(conv),
            wake_at,
            ..Change::default()
        })?;
        Ok(())
    }

    /// Records a DM conversation's private staff thread, so staff messages there find it.
    pub fn set_relay(&self, id: ConversationId, thread: ChannelId) -> Result<(), StoreError> {
        self.update(id, |c| c.relay = Some(thread))
    }

    /// Records that a conversation got its own thread, so messages there find it.
    pub fn set_thread(&self, id: ConversationId, thread: ChannelId) -> Result<(), StoreError> {
        self.update(id, |c| c.thread = Some(thread))
    }

    pub(super) fn put_head(&self, head: &index::Head) -> Result<(), StoreError> {
        self.heads
            .insert(keys::id(head.id.0), head.encode().as_ref())?;
        Ok(())
    }

    pub(super) fn put_claim(
        &self,
        msg: MessageId,
        owner: ConversationId,
    ) -> Result<(), StoreError> {
        self.claims.insert(keys::id(msg.0), &keys::id(owner.0))?;
        Ok(())
    }
}

/// A stored head, or `None` if this version cannot read it: logged, and treated as absent
/// (as at open, where the index never held it), so the next commit rewrites it.
pub(super) fn decode_head(id: ConversationId, v: &[u8]) -> Option<index::Head> {
    let head = index::Head::decode(id, v);
    if head.is_none() {
        tracing::error!(conversation = %id, "rewriting an unreadable conversation head");
    }
    head
}

pub(super) fn head_of(r: &ConversationRecord) -> index::Head {
    index::Head {
        id: r.id,
        customer: r.customer,
        key: ConversationKey::of(&r.place, r.customer),
        thread: r.thread,
        relay: r.relay,
        wake_at: r.wake_at.map(index::wake_second),
        waiting: r.state == crate::core::State::Waiting,
        promised: r.promise.is_some(),
        resolved: r.state == crate::core::State::Resolved,
    }
}
