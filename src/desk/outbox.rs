//! What delivery asks of the desk: the outbox entries still to send, their delivery marks,
//! and what Discord assigned while sending them (frontdesk's own messages, threads).

use jiff::Timestamp;

use super::{Desk, DeskError};
use crate::core::{Conversation, ConversationId};
use crate::model::{ChannelId, MessageId, Speaker, UserId};
use crate::store::{MessageRecord, NoticePost, OutboxKey, Pending, RECORD_VERSION};

impl Desk {
    /// Every outbox entry stored but not yet delivered, oldest conversation first.
    pub fn undelivered(&self) -> Result<Vec<Pending>, DeskError> {
        Ok(self.store.pending()?)
    }

    /// Whether an outbox entry is still to be delivered (another task may have done it).
    pub fn is_undelivered(&self, key: &OutboxKey) -> Result<bool, DeskError> {
        Ok(self.store.is_pending(key)?)
    }

    /// Records that Discord accepted an outbox entry. Durable at the next flush
    /// ([`Desk::make_durable`]) or within the flush interval.
    pub fn mark_delivered(&self, key: &OutboxKey) -> Result<(), DeskError> {
        Ok(self.store.complete(key)?)
    }

    /// Makes every write so far durable: delivery marks must be, before a restart could send
    /// them again (Discord's nonce de-duplication lasts minutes, a restart may take longer).
    /// Callers at about the same moment share one fsync.
    pub async fn make_durable(&self) -> Result<(), DeskError> {
        Ok(self.store.flush_async().await?)
    }

    /// Remembers an owner-notice message and whose rows it shows, so a change of holder can
    /// edit them.
    pub fn notice_posted(&self, message: MessageId, post: &NoticePost) -> Result<(), DeskError> {
        Ok(self.store.note_notice_post(message, post)?)
    }

    /// The owner-notice messages showing `conversation`'s row.
    pub fn notice_posts(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<(MessageId, NoticePost)>, DeskError> {
        Ok(self.store.notice_posts(conversation)?)
    }

    /// Forgets an owner-notice message deleted on Discord.
    pub fn notice_post_gone(
        &self,
        conversation: ConversationId,
        message: MessageId,
    ) -> Result<(), DeskError> {
        Ok(self.store.forget_notice_post(conversation, message)?)
    }

    /// A stored conversation.
    pub fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, DeskError> {
        Ok(self.store.conversation(id)?)
    }

    /// What the customer last wrote in a conversation, for an owner's notice.
    pub fn last_customer_words(&self, conv: &Conversation) -> Result<Option<String>, DeskError> {
        Ok(self
            .store
            .messages(conv)?
            .into_iter()
            .rev()
            .find(|m| m.speaker == Speaker::Customer)
            .and_then(|m| m.content))
    }

    /// Records frontdesk's own message in a conversation (its acknowledgement or closing text),
    /// so catch-up and exports see it.
    pub fn record_own_message(
        &self,
        conversation: ConversationId,
        id: MessageId,
        me: UserId,
        text: &str,
        at: Timestamp,
    ) -> Result<(), DeskError> {
        Ok(self.store.log_message(
            conversation,
            &MessageRecord {
                v: RECORD_VERSION,
                id,
                author: me,
                author_name: "frontdesk".into(),
                speaker: Speaker::Frontdesk,
                content: Some(text.to_string()),
                at,
            },
        )?)
    }

    /// Records the private staff thread that mirrors a DM conversation.
    pub fn relay_opened(
        &self,
        conversation: ConversationId,
        thread: ChannelId,
    ) -> Result<(), DeskError> {
        // Read-modify-write of the stored conversation: ordered against the core's changes.
        let _turn = self.conversation_lock(conversation);
        Ok(self.store.set_relay(conversation, thread)?)
    }

    /// Records the thread frontdesk opened for a conversation.
    pub fn thread_opened(
        &self,
        conversation: ConversationId,
        thread: ChannelId,
    ) -> Result<(), DeskError> {
        let _turn = self.conversation_lock(conversation);
        Ok(self.store.set_thread(conversation, thread)?)
    }
}
