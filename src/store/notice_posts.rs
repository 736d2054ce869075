//! The owner-notice messages that carry a conversation's row of buttons (`notice_posts`
//! tree, keyed by conversation then message), so a change of holder can edit each of them
//! ("Ana has it") instead of sending more DMs. Written once a digest is on Discord, dropped
//! when the conversation is resolved.

use serde::{Deserialize, Serialize};

use super::{from_json, keys, to_json, Store, StoreError, RECORD_VERSION};
use crate::core::ConversationId;
use crate::model::{ChannelId, MessageId, UserId};

/// One notice message: where it is, whom it was for, and whose rows it shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePost {
    pub v: u32,
    pub channel: ChannelId,
    /// Whom it was for (`None`: the staff channel, when no owner is configured).
    pub recipient: Option<UserId>,
    /// The conversations whose rows it shows, in order.
    pub rows: Vec<ConversationId>,
    /// Whether each row's buttons name their customer (a digest of several notices).
    pub named: bool,
}

impl NoticePost {
    pub fn new(
        channel: ChannelId,
        recipient: Option<UserId>,
        rows: Vec<ConversationId>,
        named: bool,
    ) -> NoticePost {
        NoticePost {
            v: RECORD_VERSION,
            channel,
            recipient,
            rows,
            named,
        }
    }
}

impl Store {
    /// Remembers that `message` shows the rows of `post.rows`' conversations.
    pub fn note_notice_post(
        &self,
        message: MessageId,
        post: &NoticePost,
    ) -> Result<(), StoreError> {
        let json = to_json(post)?;
        for conv in &post.rows {
            self.notice_posts
                .insert(keys::pair(conv.0, message.0), json.as_slice())?;
        }
        Ok(())
    }

    /// The notice messages showing `conversation`'s row, oldest first; an unreadable one is
    /// logged and skipped.
    pub fn notice_posts(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<(MessageId, NoticePost)>, StoreError> {
        let mut out = Vec::new();
        for entry in self.notice_posts.scan_prefix(keys::id(conversation.0)) {
            let (k, v) = entry?;
            let Some(message) = keys::read_u64(&k, 8) else {
                continue;
            };
            match from_json::<NoticePost>(&v, "notice post") {
                Ok(post) => out.push((MessageId(message), post)),
                Err(e) => tracing::error!(error = %e, "skipping an unreadable notice post"),
            }
        }
        Ok(out)
    }

    /// Forgets one notice message of `conversation` (deleted on Discord).
    pub fn forget_notice_post(
        &self,
        conversation: ConversationId,
        message: MessageId,
    ) -> Result<(), StoreError> {
        self.notice_posts
            .remove(keys::pair(conversation.0, message.0))?;
        Ok(())
    }

    /// Forgets every notice message of `conversation`: once it is resolved nobody takes it.
    pub(super) fn forget_notice_posts(
        &self,
        conversation: ConversationId,
    ) -> Result<(), StoreError> {
        for key in self
            .notice_posts
            .scan_prefix(keys::id(conversation.0))
            .keys()
        {
            self.notice_posts.remove(key?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_is_found_under_each_of_its_conversations_until_it_is_forgotten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let post = NoticePost::new(
            ChannelId(7),
            Some(UserId(8)),
            vec![MessageId(1), MessageId(2)],
            true,
        );
        store.note_notice_post(MessageId(50), &post).expect("note");
        store
            .note_notice_post(
                MessageId(60),
                &NoticePost::new(ChannelId(7), None, vec![MessageId(2)], false),
            )
            .expect("note");
        assert_eq!(
            store.notice_posts(MessageId(1)).expect("read"),
            vec![(MessageId(50), post.clone())]
        );
        let two: Vec<MessageId> = store
            .notice_posts(MessageId(2))
            .expect("read")
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        assert_eq!(two, [MessageId(50), MessageId(60)]);
        store
            .forget_notice_post(MessageId(2), MessageId(50))
            .expect("forget");
        assert_eq!(store.notice_posts(MessageId(2)).expect("read").len(), 1);
        store.forget_notice_posts(MessageId(1)).expect("forget all");
        assert!(store.notice_posts(MessageId(1)).expect("read").is_empty());
        assert_eq!(store.notice_posts(MessageId(2)).expect("read").len(), 1);
    }

    #[test]
    fn a_conversations_posts_go_when_it_is_resolved() {
        use crate::core::{Conversation, State};
        use crate::model::Place;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let at = "2026-11-24T10:00:00Z".parse().expect("time");
        let place = Place::Dm {
            channel: ChannelId(5),
        };
        let mut conv = Conversation::new(MessageId(1), UserId(42), "bob".into(), place, at);
        let commit = |c: &Conversation| {
            let change = super::super::Change {
                conversation: Some(c.clone()),
                ..Default::default()
            };
            store.commit(&change).expect("commit");
        };
        commit(&conv);
        let post = NoticePost::new(ChannelId(7), Some(UserId(8)), vec![MessageId(1)], false);
        store.note_notice_post(MessageId(50), &post).expect("note");
        commit(&conv);
        assert_eq!(
            store.notice_posts(MessageId(1)).expect("read").len(),
            1,
            "open"
        );
        conv.state = State::Resolved;
        commit(&conv);
        assert!(store.notice_posts(MessageId(1)).expect("read").is_empty());
    }
}
