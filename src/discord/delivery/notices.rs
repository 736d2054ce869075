//! Owner notices: gathered for a moment, then sent as one digest per recipient (all DMs to one
//! person share one rate-limit bucket; a claimed conversation's reminders go to its holder),
//! with buttons to snooze, mark answered or take it; to the staff channel when someone cannot
//! be DMed.

use std::time::Duration;

use jiff::Timestamp;

use super::{sent_id, Delivery, DeliveryError, Outcome};
use crate::core::{notice_recipients, Conversation, ConversationId, NoticeKind};
use crate::desk::{NoticePost, OutboxItem, Pending};
use crate::discord::api::ApiError;
use crate::discord::notice;
use crate::discord::outbound::{message_body, short_hash, Action, Button, Outbound};
use crate::discord::pace::Priority;
use crate::model::{ChannelId, MessageId, UserId};
use crate::responses::template::DISCORD_MESSAGE_LIMIT;
use crate::sync::LockExt;

/// How long owner notices are gathered before they go out: short enough to feel instant,
/// long enough that a burst of customers becomes one digest.
const NOTICE_GATHER: Duration = Duration::from_millis(700);

/// How long a stop lets a digest under way finish.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Discord's "Cannot send messages to this user" (DMs closed, or bot blocked).
const CANNOT_DM: u64 = 50007;

impl Delivery {
    /// Sends the owner notices pending in the store, a moment after the first one is due.
    pub async fn notice_loop(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            tokio::select! {
                () = self.notices_due.notified() => {}
                _ = stop.changed() => return,
            }
            tokio::time::sleep(NOTICE_GATHER).await;
            match self.desk.undelivered() {
                Ok(items) => {
                    // Those that may already be on Discord wait for the sweep to check.
                    let notices = items
                        .into_iter()
                        .filter(|p| matches!(p.record.item, OutboxItem::Notice { .. }))
                        .filter(|p| !self.notice_needs_check(p))
                        .collect();
                    // A stop gives a digest under way a moment to finish, not longer: one
                    // stuck behind the owner's DM window goes out at the next start.
                    let delivering = self.deliver_now(notices);
                    tokio::pin!(delivering);
                    tokio::select! {
                        () = &mut delivering => {}
                        _ = stop.changed() => {
                            let _ = tokio::time::timeout(STOP_GRACE, delivering).await;
                            return;
                        }
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot read the outbox"),
            }
        }
    }

    /// Sends the notices as one digest per recipient (more messages only past Discord's
    /// limits, cut between customers) and settles each: done once the messages that tell of
    /// it reached everyone it is for, so a digest cut short (a stop, an error) resends only
    /// the rest. Who gets which notice is the core's [`notice_recipients`]: every owner,
    /// except a claimed conversation's waiting reminders.
    pub(super) async fn notify(&self, notices: &[Pending]) {
        let now = self.clock.now();
        // Each notice that is still about a stored conversation: its text and recipients
        // (`None`: the staff channel, when no owner is configured).
        let mut told: Vec<Told<'_>> = Vec::new();
        for p in notices {
            let OutboxItem::Notice { kind } = p.record.item else {
                continue;
            };
            let read = self
                .desk
                .conversation(p.record.conversation)
                .and_then(|conv| {
                    let excerpt = match &conv {
                        Some(c) => self.desk.last_customer_words(c)?,
                        None => None,
                    };
                    Ok(conv.map(|c| (c, excerpt)))
                });
            match read {
                Ok(Some((conv, excerpt))) => {
                    let mut text = notice::describe(kind, &conv, excerpt.as_deref(), now);
                    if kind == NoticeKind::Opened {
                        text = self.with_history(&conv, text);
                    }
                    let to = self.recipients(&conv, kind, p.record.created_at);
                    told.push(Told {
                        pending: p,
                        conv,
                        text,
                        left: to.len(),
                        to,
                    });
                }
                // Gone from the store: nothing to tell (settled as done below).
                Ok(None) => {}
                Err(e) => {
                    self.settle_all(notices, &Outcome::Retry(e.to_string()))
                        .await;
                    return;
                }
            }
        }
        let nonce_base = short_hash(
            &notices
                .iter()
                .flat_map(|p| p.key.as_bytes().iter().copied())
                .collect::<Vec<_>>(),
        );
        let mut recipients: Vec<Option<UserId>> = Vec::new();
        for t in &told {
            for r in &t.to {
                if !recipients.contains(r) {
                    recipients.push(*r);
                }
            }
        }
        for who in recipients {
            let mut blocks = Blocks::default();
            for t in told.iter().filter(|t| t.to.contains(&who)) {
                blocks.add(t.conv.clone(), t.text.clone());
            }
            for (i, part) in blocks.messages(who).iter().enumerate() {
                let nonce = format!("n{nonce_base}{i}{}", who.map_or(0, |o| o.0 % 1000));
                if let Err(e) = self.send_part(who, part, &nonce).await {
                    let outcome = Outcome::of(Err(e));
                    for t in told.iter().filter(|t| t.left > 0) {
                        self.settle(t.pending, &outcome).await;
                    }
                    return;
                }
                let mut marked = false;
                for t in told
                    .iter_mut()
                    .filter(|t| t.to.contains(&who) && part.covers.contains(&t.conv.id))
                {
                    t.left -= 1;
                    if t.left == 0 {
                        marked |= self.mark(t.pending, &Outcome::Done);
                    }
                }
                if marked {
                    self.flush_marks().await;
                }
            }
        }
        // Only notices whose conversation is gone are left: nothing to tell.
        for p in notices {
            if !told.iter().any(|t| t.pending.key == p.key) {
                self.settle(p, &Outcome::Done).await;
            }
        }
        // The owners have theirs: a backup who could not be reached hears at the next reminder.
        if let Err(e) = self.escalate(notices, &nonce_base).await {
            tracing::warn!(error = %e, "could not send an escalated reminder to a backup person");
        }
    }

    /// Who a notice of `kind` about `conv`, created at `at`, goes to: the core's
    /// [`notice_recipients`], or the staff channel (`None`) when no owner is configured.
    pub(super) fn recipients(
        &self,
        conv: &Conversation,
        kind: NoticeKind,
        at: Timestamp,
    ) -> Vec<Option<UserId>> {
        let to = notice_recipients(conv, kind, at, &self.owners, self.desk.policy());
        if to.is_empty() {
            vec![None]
        } else {
            to.into_iter().map(Some).collect()
        }
    }

    /// A new conversation's notice, with a line on the customer's earlier conversations
    /// when there were any (left out if they cannot be read: the notice matters more).
    fn with_history(&self, conv: &Conversation, text: String) -> String {
        match self.desk.customer_before(conv) {
            Ok((before, Some(last))) if before > 0 => {
                let tz = self.desk.policy().hours.time_zone();
                notice::after_head(&text, &notice::regular(before, &last, tz))
            }
            Ok(_) => text,
            Err(e) => {
                tracing::warn!(error = %e, "could not read a customer's earlier conversations");
                text
            }
        }
    }

    /// Sends one message of a digest to `who` (see [`Delivery::notify_one`]) and remembers
    /// where it went, so a change of holder can edit its rows (`holders`).
    pub(super) async fn send_part(
        &self,
        who: Option<UserId>,
        part: &Part,
        nonce: &str,
    ) -> Result<(), DeliveryError> {
        let sent = self
            .notify_one(who, &part.text, nonce, part.rows.clone())
            .await?;
        if let Some((channel, message)) = sent.filter(|_| !part.shown.is_empty()) {
            let post = NoticePost::new(channel, who, part.shown.clone(), part.named);
            // Without it that notice is not edited later; the notice itself is delivered.
            if let Err(e) = self.desk.notice_posted(message, &post) {
                tracing::warn!(error = %e, "could not remember an owner notice for later edits");
            }
            self.catch_up_rows(message, &post, &part.rows).await;
        }
        Ok(())
    }

    async fn settle_all(&self, notices: &[Pending], outcome: &Outcome) {
        for p in notices {
            self.settle(p, outcome).await;
        }
    }

    /// Sends one notice message to `owner`'s DMs, or to the staff channel mentioning them
    /// when they cannot be DMed (or there is no owner); where it went, unless nowhere (no
    /// staff channel to fall back on).
    pub(super) async fn notify_one(
        &self,
        owner: Option<UserId>,
        text: &str,
        nonce: &str,
        buttons: Vec<Vec<Button>>,
    ) -> Result<Option<(ChannelId, MessageId)>, DeliveryError> {
        if let Some(owner) = owner {
            let dm = self.dm_channel(owner).await;
            let body = message_body(&Outbound {
                text,
                ping: None,
                reply_to: None,
                nonce: nonce.to_string(),
                buttons: buttons.clone(),
            });
            match dm {
                Ok(channel) => match self.post(channel, &body).await {
                    Ok(sent) => return Ok(Some((channel, sent_id(&sent)))),
                    Err(e) if e.code() == Some(CANNOT_DM) => {
                        tracing::warn!(
                            owner = owner.0,
                            "owner's DMs are closed; using the staff channel"
                        );
                    }
                    Err(e) => return Err(e.into()),
                },
                Err(e) if e.code() == Some(CANNOT_DM) => {
                    tracing::warn!(
                        owner = owner.0,
                        "cannot open a DM with the owner; using the staff channel"
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        let Some(staff) = self.staff_channel else {
            tracing::error!("a notification could not be delivered: the owner cannot be DMed and no staff_channel is configured (set [discord] staff_channel)");
            return Ok(None);
        };
        let text = match owner {
            Some(o) => format!("<@{o}> {text}"),
            None => text.to_string(),
        };
        let body = message_body(&Outbound {
            text: &text,
            ping: owner,
            reply_to: None,
            nonce: format!("s{}", &nonce[1..]),
            buttons,
        });
        let sent = self.post(staff, &body).await?;
        Ok(Some((staff, sent_id(&sent))))
    }

    pub(super) async fn dm_channel(&self, user: UserId) -> Result<ChannelId, ApiError> {
        if let Some(c) = self.dm_channels.locked().get(&user) {
            return Ok(*c);
        }
        let channel = self.api.dm_channel(Priority::Soon, user).await?;
        self.dm_channels.locked().insert(user, channel);
        Ok(channel)
    }
}

/// One notice on its way: what it says and to whom, and how many of them still wait for it.
struct Told<'a> {
    pending: &'a Pending,
    conv: Conversation,
    text: String,
    to: Vec<Option<UserId>>,
    left: usize,
}

/// A digest in the making: each customer's notices, in the order they first appear.
#[derive(Default)]
pub(super) struct Blocks(Vec<(Conversation, Vec<String>)>);

impl Blocks {
    /// Adds a notice's paragraph to its customer's block.
    pub(super) fn add(&mut self, conv: Conversation, paragraph: String) {
        match self.0.iter_mut().find(|(c, _)| c.id == conv.id) {
            Some((_, paragraphs)) => paragraphs.push(paragraph),
            None => self.0.push((conv, vec![paragraph])),
        }
    }

    /// The digest's messages for `viewer` (`None`: the staff channel), each with its
    /// customers' rows of buttons ([`notice::digest`]) and the conversations it tells of. A
    /// staff-channel copy starts with the owner's mention: room is kept for it.
    pub(super) fn messages(&self, viewer: Option<UserId>) -> Vec<Part> {
        let paragraphs: Vec<Vec<String>> = self.0.iter().map(|(_, p)| p.clone()).collect();
        // Several notices: each row names its customer ("Snooze 1 h · bob").
        let named = paragraphs.iter().map(Vec::len).sum::<usize>() > 1;
        notice::digest(&paragraphs, DISCORD_MESSAGE_LIMIT - OWNER_MENTION)
            .into_iter()
            .map(|m| Part {
                rows: m
                    .customers
                    .iter()
                    .map(|&i| conversation_buttons(&self.0[i].0, named, viewer))
                    .collect(),
                shown: m.customers.iter().map(|&i| self.0[i].0.id).collect(),
                named,
                covers: m.covers.iter().map(|&i| self.0[i].0.id).collect(),
                text: m.text,
            })
            .collect()
    }
}

/// One message of a digest.
pub(super) struct Part {
    pub(super) text: String,
    pub(super) rows: Vec<Vec<Button>>,
    /// The conversations it tells the owner about.
    pub(super) covers: Vec<ConversationId>,
    /// The conversations whose rows it shows, in order.
    pub(super) shown: Vec<ConversationId>,
    /// Whether the rows' buttons name their customer.
    pub(super) named: bool,
}

/// `<@id> ` before a staff-channel copy: a snowflake has at most 20 digits.
const OWNER_MENTION: usize = 24;

/// Snooze 1 h · Mark answered · I'll take it · Remind me · Open (Discord allows five a row),
/// for one conversation as `viewer` sees it: once someone else has it, "✋ Ana has it" stands
/// where "I'll take it" was. `named`: each with the customer's name (a button label shows no
/// markup).
pub(super) fn conversation_buttons(
    conv: &Conversation,
    named: bool,
    viewer: Option<UserId>,
) -> Vec<Button> {
    let label = |text: &str| {
        if named {
            format!("{text} · {}", conv.customer_name)
        } else {
            text.to_string()
        }
    };
    vec![
        Button::Action {
            action: Action::SnoozeHour,
            conversation: conv.id,
            label: label("Snooze 1 h"),
        },
        Button::Action {
            action: Action::MarkAnswered,
            conversation: conv.id,
            label: label("Mark answered"),
        },
        match &conv.assignee {
            Some(holder) if Some(holder.user) != viewer => Button::Held {
                conversation: conv.id,
                label: label(&format!("✋ {} has it", holder.name)),
            },
            _ => Button::Action {
                action: Action::Claim,
                conversation: conv.id,
                label: label("I'll take it"),
            },
        },
        Button::Action {
            action: Action::RemindMe,
            conversation: conv.id,
            label: label("Remind me"),
        },
        Button::Link {
            label: label("Open"),
            url: conv.place.jump_link(conv.id),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChannelId, GuildId, MessageId, Place};

    #[test]
    fn nonces_fit_discords_25_characters() {
        let n = format!("n{}{}{}", short_hash(&[1; 64]), 9, 999);
        assert!(n.len() <= 25, "{n}");
    }

    fn conversation(id: u64, name: &str) -> Conversation {
        let place = Place::Channel {
            guild: GuildId(1),
            channel: ChannelId(10),
            thread: None,
        };
        let at = "2026-11-24T10:00:00Z".parse().expect("time");
        Conversation::new(MessageId(id), UserId(id), name.into(), place, at)
    }

    #[test]
    fn every_customer_gets_their_row_in_the_message_that_names_them() {
        let mut blocks = Blocks::default();
        for id in 1..=12 {
            let conv = conversation(id, &format!("c{id}"));
            let link = conv.place.jump_link(conv.id);
            blocks.add(
                conv,
                format!("📨 New: **c{id}** {}\n{link}", "x".repeat(300)),
            );
        }
        blocks.add(conversation(3, "c3"), "⏰ Reminder 1: **c3**".into());
        let messages = blocks.messages(None);
        assert!(messages.len() >= 2, "{}", messages.len());
        let mut seen = 0;
        for Part { text, rows, .. } in &messages {
            assert!(text.chars().count() + OWNER_MENTION <= DISCORD_MESSAGE_LIMIT);
            assert!(rows.len() <= 5);
            if rows.is_empty() {
                // Past ten, a line each with the link, and no buttons.
                for id in 6..=12 {
                    let link = conversation(id, "").place.jump_link(MessageId(id));
                    assert!(text.contains(&format!("• 📨 New: **c{id}** xxx")));
                    assert!(text.contains(&link.to_string()), "c{id} linked");
                }
                continue;
            }
            for row in rows {
                seen += 1;
                let Some(Button::Link { url, label }) = row.last() else {
                    panic!("an Open button");
                };
                assert!(
                    text.contains(&format!("\n{url}")),
                    "the row's customer is here"
                );
                assert_eq!(label, &format!("Open · c{seen}"));
            }
        }
        assert_eq!(
            seen, 5,
            "five customers shown whole once (the others get a line)"
        );
        assert!(
            messages[0].text.contains("⏰ Reminder 1: **c3**"),
            "with their block"
        );
    }
}
