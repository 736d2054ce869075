//! The sweep: delivers what is still pending in the outbox (after a restart, or what failed
//! before), first checking the channel's history for acknowledgements that reached Discord
//! without being marked done.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

use super::{sent_id, Delivery, DeliveryError, Outcome};
use crate::desk::{OutboxItem, Pending};
use crate::discord::outbound::acknowledged_in;
use crate::discord::pace::Priority;
use crate::model::{ChannelId, MessageId, UserId};
use crate::sync::LockExt;

impl Delivery {
    /// Delivers everything still pending in the store (after a restart, or what failed before).
    pub async fn sweep(&self) {
        let items = match self.desk.undelivered() {
            Ok(items) => items,
            Err(e) => return tracing::error!(error = %e, "cannot read the outbox"),
        };
        let items = self.drop_already_sent(items).await;
        self.deliver(items).await;
    }

    /// A sweep may find acknowledgements that reached Discord although they were never
    /// marked done: frontdesk crashed, or Discord's answer was lost, in between. A single
    /// reply's nonce makes resending harmless for the few minutes Discord remembers it, but a
    /// merged acknowledgement's nonce covers its exact group of customers, which a resend need
    /// not repeat. So before resending, the channel's history after the oldest of them is
    /// read, and those frontdesk already answered there (a reply, or a merged link) are marked
    /// done instead. Returns the items still to deliver.
    async fn drop_already_sent(&self, items: Vec<Pending>) -> Vec<Pending> {
        let checked = |p: &Pending| {
            matches!(
                p.record.item,
                OutboxItem::Ack {
                    open_thread: None,
                    ..
                } | OutboxItem::Notice { .. }
            )
        };
        let Some(me) = self.me.get().copied() else {
            // Before READY frontdesk cannot tell its own messages: READY's sweep, a moment
            // later, checks and sends these (a promise's reminder checks its recipients'
            // DMs itself as it is sent, see `promises`).
            return items
                .into_iter()
                .filter(|p| {
                    !checked(p) && !matches!(p.record.item, OutboxItem::PromiseReminder { .. })
                })
                .collect();
        };
        // Only what may have been sent: everything left from before this start, and what an
        // attempt left unsure. A fresh item is not worth a history read (nor its wait).
        let first = !self.swept.swap(true, Ordering::Relaxed);
        let (acks, mut rest): (Vec<Pending>, Vec<Pending>) = {
            let unsure = self.unsure.locked();
            items
                .into_iter()
                .partition(|p| checked(p) && (first || unsure.contains(&p.key)))
        };
        // Claimed while checking, so no live delivery sends them meanwhile.
        let acks = self.take(acks);
        let (notices, acks): (Vec<Pending>, Vec<Pending>) = acks
            .into_iter()
            .partition(|p| matches!(p.record.item, OutboxItem::Notice { .. }));
        for p in self.drop_notices_already_sent(me, notices).await {
            // Sent like any other notice (claimed again by the notice loop).
            self.release(&p.key);
            rest.push(p);
        }
        let mut by_channel: BTreeMap<ChannelId, Vec<Pending>> = BTreeMap::new();
        for p in acks {
            if let OutboxItem::Ack { channel, .. } = p.record.item {
                by_channel.entry(channel).or_default().push(p);
            }
        }
        for (channel, pending) in by_channel {
            let answered = self.answered_in(me, channel, &pending).await;
            for p in pending {
                let sent = match &p.record.item {
                    OutboxItem::Ack { reply_to, text, .. } => {
                        answered.get(reply_to).map(|sent| (sent, text))
                    }
                    _ => None,
                };
                if let Some((sent, text)) = sent {
                    tracing::info!(
                        conversation = p.record.conversation.0,
                        "acknowledgement already on Discord; not sending it again"
                    );
                    let recorded = self.record(p.record.conversation, *sent, text);
                    self.settle(&p, &Outcome::of(recorded.map_err(DeliveryError::from)))
                        .await;
                    self.release(&p.key);
                } else {
                    // Delivered (and claimed again) like any other item.
                    self.release(&p.key);
                    rest.push(p);
                }
            }
        }
        rest
    }

    /// The ids of frontdesk's own messages in `channel` after the oldest of `pending`, by the
    /// customer message each acknowledges. Empty when the history cannot be read: then the items are
    /// simply sent again, as before.
    async fn answered_in(
        &self,
        me: UserId,
        channel: ChannelId,
        pending: &[Pending],
    ) -> HashMap<MessageId, MessageId> {
        let oldest = pending
            .iter()
            .filter_map(|p| match p.record.item {
                OutboxItem::Ack { reply_to, .. } => Some(reply_to.0),
                _ => None,
            })
            .min()
            .unwrap_or(0);
        let after = MessageId(oldest.saturating_sub(1));
        let page = match self.api.history(Priority::Soon, channel, after, 100).await {
            Ok(page) => page,
            Err(e) => {
                tracing::debug!(channel = channel.0, error = %e, "cannot read history before resending");
                return HashMap::new();
            }
        };
        let mut answered = HashMap::new();
        for m in &page.messages {
            if m.author.id.get() != me.0 {
                continue;
            }
            let replied = m
                .message_reference
                .as_ref()
                .and_then(|r| r.message_id)
                .map(|id| MessageId(id.get()));
            let linked = acknowledged_in(&m.content, channel.0);
            for id in replied.into_iter().chain(linked) {
                answered.insert(id, sent_id(m));
            }
        }
        answered
    }
}
