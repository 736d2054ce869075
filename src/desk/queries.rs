//! What slash commands, staff threads and the dashboard ask of the desk: conversations by
//! id, by thread and by customer, the waiting ones, the promised ones, all of them, a transcript, a search, and
//! the owner's away notice.

use super::{Desk, DeskError, TranscriptEntry};
use crate::core::State;
use crate::core::{Away, Conversation, ConversationKey};
use crate::model::{ChannelId, UserId};

impl Desk {
    /// Whether the database is writing: the web page shows a failure to the owner.
    pub fn health(&self) -> crate::store::Health {
        self.store.health()
    }

    /// The latest conversation held in a thread (its own thread, a forum post, or a DM's
    /// private staff thread).
    pub fn conversation_in_thread(
        &self,
        thread: ChannelId,
    ) -> Result<Option<Conversation>, DeskError> {
        Ok(self.store.latest_for(&ConversationKey::Thread(thread))?)
    }

    /// How many conversations `conv`'s customer had before it, and the latest of them: what
    /// an owner's notice says of a regular.
    pub fn customer_before(
        &self,
        conv: &Conversation,
    ) -> Result<(u64, Option<Conversation>), DeskError> {
        Ok(self.store.customer_before(conv.customer, conv.id)?)
    }

    /// A customer's conversations, newest first.
    pub fn customer_conversations(&self, customer: UserId) -> Result<Vec<Conversation>, DeskError> {
        Ok(self.store.customer_conversations(customer)?)
    }

    /// Every readable conversation, oldest first (an unreadable one is logged and skipped).
    pub fn all_conversations(&self) -> Vec<Conversation> {
        self.store
            .conversations()
            .filter_map(|c| {
                c.map_err(|e| tracing::error!(error = %e, "skipping an unreadable conversation"))
                    .ok()
            })
            .collect()
    }

    /// The conversations waiting for a personal reply, longest waiting first. Read through
    /// the in-memory index: only the waiting ones are loaded.
    pub fn waiting_conversations(&self) -> Result<Vec<Conversation>, DeskError> {
        let mut out = Vec::new();
        for id in self.store.waiting() {
            // A waiting conversation answered meanwhile is still listed by its id: skip it.
            if let Some(c) = self
                .store
                .conversation(id)?
                .filter(|c| c.state == State::Waiting)
            {
                out.push(c);
            }
        }
        out.sort_by_key(|c| (c.waiting_since.unwrap_or(c.opened_at), c.id));
        Ok(out)
    }

    /// The conversations with an open promise, soonest due first. Read through the wake
    /// index, which holds every conversation with a reminder ahead of it: an open promise
    /// always has one (the schedule repeats), so only those are loaded.
    pub fn promised_conversations(&self) -> Result<Vec<Conversation>, DeskError> {
        let mut out = Vec::new();
        for id in self.store.promised() {
            if let Some(c) = self.store.conversation(id)?.filter(|c| c.promise.is_some()) {
                out.push(c);
            }
        }
        out.sort_by_key(|c| (c.promise.as_ref().map(|p| p.due), c.id));
        Ok(out)
    }

    /// A conversation's messages, oldest first (its opening message, customer follow-ups,
    /// frontdesk's acknowledgement, staff replies, relayed DMs).
    pub fn transcript(
        &self,
        conversation: &Conversation,
    ) -> Result<Vec<TranscriptEntry>, DeskError> {
        self.records().transcript(conversation)
    }

    /// Turns on `/dashboard`'s login links (once, at start).
    pub fn set_login_links(&self, links: super::LoginLinks) {
        let _ = self.login_links.set(links);
    }

    /// Whether the dashboard is on (it has given the desk its link maker).
    pub fn dashboard_on(&self) -> bool {
        self.login_links.get().is_some()
    }

    /// A dashboard login link for `user`; `None` when the dashboard is off or failed.
    pub fn login_link(
        &self,
        user: UserId,
        guild: Option<crate::model::GuildId>,
        now: jiff::Timestamp,
    ) -> Option<String> {
        self.login_links
            .get()
            .and_then(|make| make(user, guild, now))
    }

    /// Records a dashboard login link as used; `false` if it already was (see
    /// `dashboard::links`).
    pub fn use_login(
        &self,
        nonce: &[u8],
        expires: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> Result<bool, DeskError> {
        Ok(self.store.use_login(nonce, expires, now)?)
    }

    /// The owner's away notice, if set.
    pub fn away(&self) -> Option<Away> {
        self.store.away()
    }

    /// Sets or clears the owner's away notice, durably.
    pub fn set_away(&self, away: Option<&Away>) -> Result<(), DeskError> {
        self.store.set_away(away)?;
        Ok(self.store.flush()?)
    }
}
