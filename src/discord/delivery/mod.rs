//! Delivery of the outbox to Discord: where an outbox entry is claimed, sent and marked done.
//!
//! Every item was committed before it gets here (durable within the flush interval; if a
//! crash loses it first, catch-up rebuilds it from Discord's history) and is marked done, and
//! flushed, only after Discord accepted it, so a crash in between means it is sent again on
//! restart — with the same nonce, which Discord uses to drop the duplicate (and, for
//! acknowledgements, after a look at the channel's history: `sweep`).
//!
//! By concern: acknowledgements in a server channel go through that channel's `lane` (pacing,
//! merged acknowledgements); thread-mode acknowledgements and closing messages are `replies`;
//! owner `notices` are gathered into one digest per recipient; the customer is told who took
//! their conversation (`claims`), and the staff's notices show it (`holders`); a DM conversation is mirrored in a
//! private staff thread by the `relay`; the `sweep` sends whatever is still undelivered.

mod claims;
mod digest;
mod escalation;
mod holders;
mod lane;
mod notices;
mod promises;
mod queue;
mod ratings;
mod relay;
mod replies;
mod seen;
mod spacing;
mod staff_replies;
mod sweep;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use serenity::all as dc;

use super::api::{Api, ApiError};
use super::outbound::{message_body, Outbound};
use super::pace::Priority;
use crate::clock::Clock;
use crate::desk::{Desk, DeskError, OutboxItem, OutboxKey, Pending};
use crate::model::{ChannelId, MessageId, UserId};
use crate::sync::LockExt;

#[derive(Debug, thiserror::Error)]
enum DeliveryError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Desk(#[from] DeskError),
}

/// How one delivery attempt ended.
enum Outcome {
    Done,
    /// Worth trying again later (Discord unreachable, 5xx, rate limits beyond our patience).
    Retry(String),
    /// Discord said no for good (unknown channel, missing permission, ...), or took it and
    /// answered in a shape no retry will change.
    Refused(String),
}

impl Outcome {
    fn of(result: Result<(), DeliveryError>) -> Outcome {
        match result {
            Ok(()) => Outcome::Done,
            Err(DeliveryError::Api(e)) if e.is_final() => Outcome::Refused(e.to_string()),
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }
}

pub struct Delivery {
    api: Api,
    desk: Arc<Desk>,
    clock: Arc<dyn Clock>,
    me: OnceLock<UserId>,
    owners: Vec<UserId>,
    staff_channel: Option<ChannelId>,
    dm_channels: Mutex<HashMap<UserId, ChannelId>>,
    /// Wakes [`Delivery::notice_loop`]: owner notices are due.
    notices_due: tokio::sync::Notify,
    /// Serialises opening relay threads, so a conversation never gets two.
    relay_lock: tokio::sync::Mutex<()>,
    /// Keys being delivered right now, so the periodic sweep and an event handler never
    /// work on the same item at once.
    in_flight: Mutex<HashSet<OutboxKey>>,
    /// One per server channel acknowledgements were sent in.
    lanes: Mutex<HashMap<ChannelId, Arc<queue::Lane>>>,
    /// Items whose last attempt failed in a way that may still have reached Discord.
    unsure: Mutex<HashSet<OutboxKey>>,
    /// Whether a sweep ran since the start (the first one also finds items from before it).
    swept: AtomicBool,
    /// When this delivery was made: outbox entries older than that are from before the start.
    started: jiff::Timestamp,
}

impl Delivery {
    pub fn new(
        api: Api,
        desk: Arc<Desk>,
        clock: Arc<dyn Clock>,
        owners: Vec<UserId>,
        staff_channel: Option<ChannelId>,
    ) -> Delivery {
        Delivery {
            api,
            desk,
            started: clock.now(),
            clock,
            me: OnceLock::new(),
            owners,
            staff_channel,
            dm_channels: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashSet::new()),
            lanes: Mutex::new(HashMap::new()),
            unsure: Mutex::new(HashSet::new()),
            swept: AtomicBool::new(false),
            relay_lock: tokio::sync::Mutex::new(()),
            notices_due: tokio::sync::Notify::new(),
        }
    }

    /// The client every request to Discord goes through.
    pub fn api(&self) -> &Api {
        &self.api
    }

    pub fn set_me(&self, me: UserId) {
        let _ = self.me.set(me);
    }

    fn release(&self, key: &OutboxKey) {
        let mut busy = self.in_flight.locked();
        busy.remove(key);
    }

    /// Delivers `items` now, except owner notices: those are gathered for a moment (see
    /// [`Delivery::notice_loop`]) so that a burst of customers reaches each owner as one
    /// digest instead of a flood through their single DM rate-limit bucket.
    pub async fn deliver(&self, items: Vec<Pending>) {
        let (notices, now): (Vec<Pending>, Vec<Pending>) = items
            .into_iter()
            .partition(|p| matches!(p.record.item, OutboxItem::Notice { .. }));
        if !notices.is_empty() {
            self.notices_due.notify_one();
        }
        self.deliver_now(now).await;
    }

    /// Delivers `items` at once: acknowledgements and other messages first, then one digest
    /// of the notices per owner.
    async fn deliver_now(&self, items: Vec<Pending>) {
        let items = self.take(items);
        if items.is_empty() {
            return;
        }
        let (notices, direct): (Vec<Pending>, Vec<Pending>) = items
            .into_iter()
            .partition(|p| matches!(p.record.item, OutboxItem::Notice { .. }));
        let (lanes, direct) = self.by_lane(direct);
        // Lane items are released by whoever sends them, which need not be this call.
        let keys: Vec<OutboxKey> = notices
            .iter()
            .chain(&direct)
            .map(|p| p.key.clone())
            .collect();
        for (channel, queued) in lanes {
            self.through_lane(channel, queued).await;
        }
        for p in &direct {
            let result = match &p.record.item {
                OutboxItem::Ack {
                    channel,
                    reply_to,
                    customer,
                    text,
                    open_thread,
                    ..
                } => {
                    self.ack(
                        p,
                        *channel,
                        *reply_to,
                        *customer,
                        text,
                        open_thread.as_deref(),
                    )
                    .await
                }
                OutboxItem::Close { channel, text } => self.close(p, *channel, text).await,
                OutboxItem::RelayIn {
                    source,
                    text,
                    thread_name,
                } => self.relay_in(p, *source, text, thread_name).await,
                OutboxItem::RelayOut {
                    source,
                    channel,
                    text,
                } => self.relay_out(p, *source, *channel, text).await,
                OutboxItem::AskRating {
                    channel,
                    reply_to,
                    customer,
                    text,
                    form,
                } => {
                    self.ask_rating(p, *channel, *reply_to, *customer, text, (*form).into())
                        .await
                }
                OutboxItem::Digest {
                    owner,
                    since,
                    until,
                } => self.digest(p, *owner, *since, *until).await,
                OutboxItem::PromiseReminder {
                    number,
                    step,
                    escalated,
                } => self.remind_promise(p, *number, *step, *escalated).await,
                OutboxItem::Claimed {
                    channel,
                    reply_to,
                    customer,
                    text,
                    ..
                } => {
                    self.tell_claimed(p, *channel, *reply_to, *customer, text)
                        .await
                }
                OutboxItem::ShowHolder { .. } => self.show_holder(p).await,
                OutboxItem::Reply {
                    channel,
                    reply_to,
                    ping,
                    text,
                    ..
                } => self.send_reply(p, *channel, *reply_to, *ping, text).await,
                OutboxItem::Notice { .. } => Ok(()),
            };
            self.settle(p, &Outcome::of(result)).await;
        }
        if !notices.is_empty() {
            self.notify(&notices).await;
        }
        let mut busy = self.in_flight.locked();
        for k in keys {
            busy.remove(&k);
        }
    }

    /// Claims items for this delivery. An item read from the store before another task
    /// delivered it may no longer be pending: checked after claiming, so it goes out once.
    fn take(&self, items: Vec<Pending>) -> Vec<Pending> {
        let mut busy = self.in_flight.locked();
        items
            .into_iter()
            .filter(|p| {
                if !busy.insert(p.key.clone()) {
                    return false;
                }
                if self.desk.is_undelivered(&p.key).unwrap_or(true) {
                    return true;
                }
                busy.remove(&p.key);
                false
            })
            .collect()
    }

    /// Marks an item done, or leaves it for the next sweep when the failure may pass.
    async fn settle(&self, p: &Pending, outcome: &Outcome) {
        if self.mark(p, outcome) {
            self.flush_marks().await;
        }
    }

    /// [`Delivery::settle`] without the flush: returns whether an entry was marked done, so
    /// the caller flushes (once for several).
    fn mark(&self, p: &Pending, outcome: &Outcome) -> bool {
        let conversation = p.record.conversation.0;
        self.note_unsure(&p.key, matches!(outcome, Outcome::Retry(_)));
        match outcome {
            Outcome::Retry(why) => {
                tracing::warn!(conversation, error = %why, "delivery failed for now; will retry");
                return false;
            }
            // Retrying cannot help; the conversation itself stays stored.
            Outcome::Refused(why) => {
                tracing::error!(conversation, error = %why, "a delivery cannot succeed (Discord refused it, or its answer cannot be read); giving up on this item")
            }
            Outcome::Done => {}
        }
        match self.desk.mark_delivered(&p.key) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(conversation, error = %e, "could not mark an outbox item done; it may be sent again");
                false
            }
        }
    }

    /// Makes delivery marks durable, so a crash after this cannot send them again: Discord's
    /// nonce de-duplication lasts only minutes, a restart may take longer.
    async fn flush_marks(&self) {
        if let Err(e) = self.desk.make_durable().await {
            tracing::error!(error = %e, "could not flush delivery marks; they may be sent again");
        }
    }

    fn unsure_contains(&self, key: &OutboxKey) -> bool {
        self.unsure.locked().contains(key)
    }

    fn note_unsure(&self, key: &OutboxKey, unsure: bool) {
        let mut set = self.unsure.locked();
        if unsure {
            set.insert(key.clone());
        } else {
            set.remove(key);
        }
    }

    /// Records `sent`, a message frontdesk posted, as its own in `conversation`.
    fn record(
        &self,
        conversation: MessageId,
        sent: MessageId,
        text: &str,
    ) -> Result<(), DeskError> {
        let Some(me) = self.me.get() else {
            return Ok(());
        };
        self.desk
            .record_own_message(conversation, sent, *me, text, self.clock.now())
    }

    /// Posts `text` into `channel` pinging nobody and replying to nothing, and records it as
    /// frontdesk's own message in `p`'s conversation.
    async fn post_quiet(
        &self,
        p: &Pending,
        channel: ChannelId,
        text: &str,
        nonce: String,
    ) -> Result<(), DeliveryError> {
        let body = message_body(&Outbound {
            text,
            ping: None,
            reply_to: None,
            nonce,
            buttons: Vec::new(),
        });
        let sent = self
            .post_as(priority(&p.record.item), channel, &body)
            .await?;
        self.record(p.record.conversation, sent_id(&sent), text)?;
        Ok(())
    }

    async fn post(&self, channel: ChannelId, body: &Value) -> Result<dc::Message, ApiError> {
        self.post_as(Priority::Soon, channel, body).await
    }

    async fn post_as(
        &self,
        priority: Priority,
        channel: ChannelId,
        body: &Value,
    ) -> Result<dc::Message, ApiError> {
        self.api.post_message(priority, channel, body).await
    }
}

/// How urgent an outbox entry is against the global budget: acknowledgements first, since a
/// customer is waiting; a new kind of entry adds its arm here.
fn priority(item: &OutboxItem) -> Priority {
    match item {
        OutboxItem::Ack { .. } => Priority::Now,
        _ => Priority::Soon,
    }
}

/// The id of a message frontdesk posted.
fn sent_id(sent: &dc::Message) -> MessageId {
    MessageId(sent.id.get())
}
