//! Reads: conversations by id, place and customer, whether a message is stored, the message
//! log, and first replies (for `{eta}` and `/stats`).

use jiff::Timestamp;

use super::records::{ConversationRecord, MessageRecord, ReplyRecord};
use super::{from_json, keys, to_json, Store, StoreError};
use crate::core::{Conversation, ConversationId, ConversationKey};
use crate::model::{MessageId, UserId};

impl Store {
    pub(super) fn record(
        &self,
        id: ConversationId,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        self.conversations
            .get(keys::id(id.0))?
            .map(|v| from_json(&v, "conversation"))
            .transpose()
    }

    pub fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        Ok(self.record(id)?.map(ConversationRecord::into_conversation))
    }

    /// The latest conversation for a place and customer, whatever its state.
    pub fn latest_for(&self, key: &ConversationKey) -> Result<Option<Conversation>, StoreError> {
        let latest = self.index().latest(key);
        match latest {
            Some(id) => self.conversation(id),
            None => Ok(None),
        }
    }

    /// The conversation a message was claimed for, if any: the one it opened, or the one
    /// its claim names.
    pub fn conversation_of_message(
        &self,
        msg: MessageId,
    ) -> Result<Option<ConversationId>, StoreError> {
        if self.stored_head(msg)?.is_some() {
            return Ok(Some(msg));
        }
        Ok(self
            .claim(msg)?
            .and_then(|v| keys::read_u64(&v, 0))
            .map(MessageId))
    }

    /// Whether a message is stored: it opened a conversation or was claimed for one.
    pub fn is_claimed(&self, msg: MessageId) -> Result<bool, StoreError> {
        let opened = self.stored_head(msg)?.is_some();
        self.claimed_besides_head(msg, opened)
    }

    /// `is_claimed` for a caller that has already looked for the message's head.
    pub(super) fn claimed_besides_head(
        &self,
        msg: MessageId,
        has_head: bool,
    ) -> Result<bool, StoreError> {
        Ok(has_head || self.claim(msg)?.is_some())
    }

    /// A conversation's head as stored, undecoded.
    pub(super) fn stored_head(&self, id: ConversationId) -> Result<Option<sled::IVec>, StoreError> {
        Ok(self.heads.get(keys::id(id.0))?)
    }

    /// A message's claim entry: the conversation it was stored for.
    pub(super) fn claim(&self, msg: MessageId) -> Result<Option<sled::IVec>, StoreError> {
        Ok(self.claims.get(keys::id(msg.0))?)
    }

    /// How many conversations a customer has had.
    pub fn customer_conversation_count(&self, customer: UserId) -> u64 {
        self.index().of_customer(customer).count() as u64
    }

    /// How many conversations `customer` had before `conversation`, and the latest of them.
    pub fn customer_before(
        &self,
        customer: UserId,
        conversation: ConversationId,
    ) -> Result<(u64, Option<Conversation>), StoreError> {
        let earlier: Vec<ConversationId> = self
            .index()
            .of_customer(customer)
            .take_while(|id| *id < conversation)
            .collect();
        let last = match earlier.last() {
            Some(id) => self.conversation(*id)?,
            None => None,
        };
        Ok((earlier.len() as u64, last))
    }

    /// A customer's conversations, newest first.
    pub fn customer_conversations(
        &self,
        customer: UserId,
    ) -> Result<Vec<Conversation>, StoreError> {
        let ids: Vec<ConversationId> = self.index().of_customer(customer).rev().collect();
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.conversation(id)?);
        }
        Ok(out)
    }

    /// Conversations with an open promise, by id (from the in-memory index).
    pub fn promised(&self) -> Vec<ConversationId> {
        self.index().promised()
    }

    /// Conversations waiting for a personal reply, by id (from the in-memory index).
    pub fn waiting(&self) -> Vec<ConversationId> {
        self.index().waiting()
    }

    /// Conversations whose wake-up time is at or before `now`.
    pub fn due(&self, now: Timestamp) -> Vec<ConversationId> {
        self.index().due(now)
    }

    /// Logs a message frontdesk itself sent into a conversation.
    pub fn log_message(
        &self,
        conversation: ConversationId,
        record: &MessageRecord,
    ) -> Result<(), StoreError> {
        self.messages
            .insert(keys::pair(conversation.0, record.id.0), to_json(record)?)?;
        self.put_claim(record.id, conversation)
    }

    /// A conversation's messages, oldest first: the opening one (carried by the conversation,
    /// or from the log for conversations stored before layout 4), then the log. Takes the
    /// conversation its callers have already read, so its record is not read again.
    pub fn messages(&self, conversation: &Conversation) -> Result<Vec<MessageRecord>, StoreError> {
        let mut out: Vec<MessageRecord> = MessageRecord::opening_of(conversation)
            .into_iter()
            .collect();
        for entry in self.messages.scan_prefix(keys::id(conversation.id.0)) {
            let (_, v) = entry?;
            let m: MessageRecord = from_json(&v, "message")?;
            // In the record and in the log: a change cut short before layout 4 logged it,
            // and catch-up stored it again since.
            if out.first().is_none_or(|o| o.id != m.id) {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Every conversation, oldest first.
    pub fn conversations(&self) -> impl Iterator<Item = Result<Conversation, StoreError>> + '_ {
        self.conversations.iter().map(|entry| {
            let (_, v) = entry?;
            from_json::<ConversationRecord>(&v, "conversation")
                .map(ConversationRecord::into_conversation)
        })
    }

    /// Every conversation, newest first (ids grow with time).
    pub fn conversations_newest_first(
        &self,
    ) -> impl Iterator<Item = Result<Conversation, StoreError>> + '_ {
        self.conversations.iter().rev().map(|entry| {
            let (_, v) = entry?;
            from_json::<ConversationRecord>(&v, "conversation")
                .map(ConversationRecord::into_conversation)
        })
    }

    /// Up to `limit` resolved conversations opened before `before` (all when `None`),
    /// newest first, read from the heads' flags (a byte each, no record decoded), looking at
    /// `budget` heads at most; and where the next page starts, when there may be more.
    pub fn resolved_page(
        &self,
        before: Option<ConversationId>,
        limit: usize,
        budget: usize,
    ) -> Result<(Vec<ConversationId>, Option<ConversationId>), StoreError> {
        let end = keys::id(before.map_or(u64::MAX, |b| b.0));
        let mut ids: Vec<ConversationId> = Vec::new();
        let mut last = None;
        for (n, entry) in self.heads.range(..end).rev().enumerate() {
            if n == budget {
                return Ok((ids, last));
            }
            let (k, v) = entry?;
            let Some(id) = keys::read_u64(&k, 0).map(MessageId) else {
                continue;
            };
            if v.first().is_some_and(|f| f & super::index::RESOLVED != 0) {
                if ids.len() == limit {
                    return Ok((ids, last));
                }
                ids.push(id);
            }
            last = Some(id);
        }
        Ok((ids, None))
    }

    /// Conversations opened before `before` (all when `None`), newest first.
    pub fn conversations_before(
        &self,
        before: Option<ConversationId>,
    ) -> impl Iterator<Item = Result<Conversation, StoreError>> + '_ {
        let end = keys::id(before.map_or(u64::MAX, |b| b.0));
        self.conversations.range(..end).rev().map(|entry| {
            let (_, v) = entry?;
            from_json::<ConversationRecord>(&v, "conversation")
                .map(ConversationRecord::into_conversation)
        })
    }

    pub fn conversation_count(&self) -> usize {
        self.conversations.len()
    }

    /// The most recent first replies, newest first.
    pub fn recent_replies(&self, limit: usize) -> Result<Vec<ReplyRecord>, StoreError> {
        let mut out = Vec::new();
        for entry in self.replies.iter().rev().take(limit) {
            let (_, v) = entry?;
            out.push(from_json(&v, "reply")?);
        }
        Ok(out)
    }

    /// First replies at or after `since`, oldest first.
    pub fn replies_since(&self, since: Timestamp) -> Result<Vec<ReplyRecord>, StoreError> {
        let start = keys::pair(since.as_millisecond().max(0) as u64, 0);
        let mut out = Vec::new();
        for entry in self.replies.range(start.as_slice()..) {
            let (_, v) = entry?;
            out.push(from_json(&v, "reply")?);
        }
        Ok(out)
    }
}
