//! Owner notices that reached Discord without being marked done (a crash, or a lost answer,
//! between Discord accepting the digest and the mark). A digest's nonce covers its exact
//! group of notices, which a resend after a restart need not repeat, so before resending
//! them the DM channels of everyone they went to (and the staff channel, the fallback) are
//! read, and the notices already shown to all of them are marked done instead: as `sweep`
//! does for acknowledgements. Promise reminders are checked the same way as they are sent.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use super::{Delivery, Outcome};
use crate::desk::{OutboxItem, Pending};
use crate::discord::notice;
use crate::discord::pace::Priority;
use crate::model::{ChannelId, MessageId, UserId};

/// Read before a notice's creation too: Discord's clock and this machine's may differ a bit.
const CLOCK_SLACK: SignedDuration = SignedDuration::from_secs(5);
/// Pages of 100 read per channel at most: a digest follows its notices within seconds.
const MAX_PAGES: usize = 10;

impl Delivery {
    /// Whether a pending entry is a notice that must be checked against the owners' DMs
    /// before it is sent: one left from before this start that no sweep has checked yet, or
    /// one whose last attempt may have reached Discord.
    pub(super) fn notice_needs_check(&self, p: &Pending) -> bool {
        matches!(p.record.item, OutboxItem::Notice { .. })
            && ((!self.swept.load(std::sync::atomic::Ordering::Relaxed)
                && p.record.created_at < self.started)
                || self.unsure_contains(&p.key))
    }

    /// Marks done (and releases) the `notices`, claimed by the caller, already shown to
    /// everyone they went to (the owners, or a claimed conversation's holder); returns the
    /// others, still claimed, cleared to be sent. When the history cannot be read they are
    /// all returned (sent again, as before: a notice may repeat, but is never lost).
    pub(super) async fn drop_notices_already_sent(
        &self,
        me: UserId,
        notices: Vec<Pending>,
    ) -> Vec<Pending> {
        if notices.is_empty() {
            return notices;
        }
        let oldest = notices
            .iter()
            .map(|p| p.record.created_at)
            .min()
            .unwrap_or_else(Timestamp::now);
        let after = MessageId::first_at(oldest.saturating_sub(CLOCK_SLACK).unwrap_or(oldest));
        // Who each notice went to: the owners, or a claimed conversation's holder (see
        // `notice_recipients`); `None` is the staff channel, when there are no owners.
        let recipients: Vec<Option<Vec<Option<UserId>>>> = notices
            .iter()
            .map(|p| {
                let OutboxItem::Notice { kind } = p.record.item else {
                    return None;
                };
                let conv = self.desk.conversation(p.record.conversation).ok()??;
                Some(self.recipients(&conv, kind, p.record.created_at))
            })
            .collect();
        let mut readers: Vec<UserId> = self.owners.clone();
        readers.extend(recipients.iter().flatten().flatten().flatten());
        readers.sort_unstable();
        readers.dedup();
        let Some(posted) = self.posted_to(me, after, &readers).await else {
            for p in &notices {
                self.note_unsure(&p.key, false);
            }
            return notices;
        };
        let mut rest = Vec::new();
        for (p, to) in notices.into_iter().zip(recipients) {
            let OutboxItem::Notice { kind } = p.record.item else {
                rest.push(p);
                continue;
            };
            let link = match self.desk.conversation(p.record.conversation) {
                Ok(Some(conv)) => conv.place.jump_link(conv.id),
                _ => {
                    rest.push(p);
                    continue;
                }
            };
            let everywhere = to.is_some_and(|to| {
                to.iter().all(|who| {
                    posted
                        .get(who)
                        .is_some_and(|texts| texts.iter().any(|t| notice::shows(t, kind, &link)))
                })
            });
            if everywhere {
                tracing::info!(
                    conversation = p.record.conversation.0,
                    "owner notice already on Discord; not sending it again"
                );
                self.settle(&p, &Outcome::Done).await;
                self.release(&p.key);
            } else {
                self.note_unsure(&p.key, false);
                rest.push(p);
            }
        }
        rest
    }

    /// Whether an outbox entry may already be on Discord: left from before this start, or
    /// its last attempt's answer was lost. Such an entry is checked against what frontdesk
    /// posted before it is sent again.
    pub(super) fn may_be_on_discord(&self, p: &Pending) -> bool {
        p.record.created_at < self.started || self.unsure_contains(&p.key)
    }

    /// Whether `user` was already shown a message of frontdesk's that `shows` recognises,
    /// posted after `since` (less the clock slack): in their DM, or in the staff channel
    /// starting with their mention (the fallback when they cannot be DMed). `None` when that
    /// cannot be read: then it is sent again, as before (it may repeat, never be lost).
    pub(super) async fn shown_to(
        &self,
        me: UserId,
        user: UserId,
        since: Timestamp,
        shows: impl Fn(&str) -> bool,
    ) -> Option<bool> {
        let after = MessageId::first_at(since.saturating_sub(CLOCK_SLACK).unwrap_or(since));
        let posted = self.posted_to(me, after, &[user]).await?;
        let mention = format!("<@{user}> ");
        Some(posted.get(&Some(user)).is_some_and(|texts| {
            texts
                .iter()
                .any(|t| shows(t.strip_prefix(&mention).unwrap_or(t)))
        }))
    }

    /// Whether frontdesk already posted a message in `channel` that `shows` recognises,
    /// after `since` (less the clock slack); `None` when the channel cannot be read.
    pub(super) async fn posted_in(
        &self,
        me: UserId,
        channel: ChannelId,
        since: Timestamp,
        shows: impl Fn(&str) -> bool,
    ) -> Option<bool> {
        let after = MessageId::first_at(since.saturating_sub(CLOCK_SLACK).unwrap_or(since));
        let texts = self.own_messages(me, channel, after).await?;
        Some(texts.iter().any(|t| shows(t)))
    }

    /// frontdesk's own messages after `after`, per person of `users` (`None`: the staff
    /// channel when there are no owners): in their DM channel, or in the staff channel
    /// starting with their mention (the fallback). `None` when a channel cannot be read.
    async fn posted_to(
        &self,
        me: UserId,
        after: MessageId,
        users: &[UserId],
    ) -> Option<HashMap<Option<UserId>, Vec<String>>> {
        let mut posted: HashMap<Option<UserId>, Vec<String>> = HashMap::new();
        let staff = match self.staff_channel {
            Some(staff) => self.own_messages(me, staff, after).await?,
            None => Vec::new(),
        };
        if self.owners.is_empty() {
            posted.insert(None, staff.clone());
        }
        for user in users.iter().copied() {
            let dm = match self.dm_channel(user).await {
                Ok(dm) => self.own_messages(me, dm, after).await?,
                // DMs closed: the notices went to the staff channel.
                Err(e) if e.code().is_some() => Vec::new(),
                Err(_) => return None,
            };
            let mention = format!("<@{user}> ");
            let mut texts = dm;
            texts.extend(staff.iter().filter(|t| t.starts_with(&mention)).cloned());
            posted.insert(Some(user), texts);
        }
        Some(posted)
    }

    /// The contents of frontdesk's own messages in `channel` after `after`, oldest first.
    async fn own_messages(
        &self,
        me: UserId,
        channel: ChannelId,
        mut after: MessageId,
    ) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.api.history(Priority::Soon, channel, after, 100).await;
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    tracing::debug!(channel = channel.0, error = %e, "cannot read history before resending notices");
                    return None;
                }
            };
            if let Some(last) = page.messages.last() {
                after = MessageId(last.id.get());
            }
            out.extend(
                page.messages
                    .into_iter()
                    .filter(|m| m.author.id.get() == me.0)
                    .map(|m| m.content),
            );
            if !page.full {
                break;
            }
        }
        Some(out)
    }
}
