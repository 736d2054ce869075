//! Delivery of the outbox: acknowledgements, owner notifications and closing messages.
//!
//! Every item was committed before it gets here (durable within the flush interval; if a
//! crash loses it first, catch-up rebuilds it from Discord's history) and is marked done, and
//! flushed, only after Discord accepted it, so a crash in between means it is sent again on
//! restart — with the same nonce, which Discord uses to drop the duplicate (and, for
//! acknowledgements, after a look at the channel's history). Several notices due together
//! reach each owner as one digest: all DMs to one owner share one rate-limit bucket.
//!
//! Acknowledgements in a server channel go through that channel's lane: one sender at a time,
//! which takes everything queued each time round (whoever finds a sender there only queues).
//! While the channel's rate-limit window has room they go out one reply each, as always; what
//! queued up beyond it goes out merged, one message naming each customer, so nobody waits
//! more than about one window.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::Method;
use serde_json::{json, Value};

use super::notice;
use super::outbound::{
    acknowledged_in, merged_acks, message_body, short_hash, AckLine, Action, Button, Outbound,
};
use super::rest::{Rest, RestError};
use crate::clock::Clock;
use crate::desk::Desk;
use crate::desk::{OutboxItem, OutboxKey, Pending, StoreError};
use crate::model::{ChannelId, MessageId, UserId};
use crate::responses::template::DISCORD_MESSAGE_LIMIT;

/// How long owner notices are gathered before they go out: short enough to feel instant,
/// long enough that a burst of customers becomes one digest.
const NOTICE_GATHER: std::time::Duration = std::time::Duration::from_millis(700);

/// Discord's "Cannot send messages to this user" (DMs closed, or bot blocked).
const CANNOT_DM: u64 = 50007;
/// "A thread has already been created for this message".
const THREAD_EXISTS: u64 = 160004;

#[derive(Debug, thiserror::Error)]
enum DeliveryError {
    #[error(transparent)]
    Rest(#[from] RestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How one delivery attempt ended.
enum Outcome {
    Done,
    /// Worth trying again later (Discord unreachable, 5xx, rate limits beyond our patience).
    Retry(String),
    /// Discord said no for good (unknown channel, missing permission, ...).
    Refused(String),
}

impl Outcome {
    fn of(result: Result<(), DeliveryError>) -> Outcome {
        match result {
            Ok(()) => Outcome::Done,
            Err(DeliveryError::Rest(e @ RestError::Refused { .. })) => {
                Outcome::Refused(e.to_string())
            }
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }
}

/// Acknowledgements waiting to be sent in one channel, and whether a task is sending them.
#[derive(Default)]
struct Lane(Mutex<LaneState>);

#[derive(Default)]
struct LaneState {
    queue: Vec<Queued>,
    sending: bool,
}

impl Lane {
    fn state(&self) -> std::sync::MutexGuard<'_, LaneState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Gives up a lane's sending role however the sender ends, so a sender dropped mid-send (a
/// task cancelled at shutdown) cannot leave the lane with items and nobody to send them: the
/// next item queued there starts a new sender.
struct Sending<'a>(&'a Lane);

impl Sending<'_> {
    /// The sender gave the role up itself, under the lock that saw the queue empty; by now
    /// another task may hold it, which dropping the guard would wrongly end.
    fn given_up(self) {
        std::mem::forget(self);
    }
}

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        self.0.state().sending = false;
    }
}

/// An acknowledgement in a lane.
struct Queued {
    p: Pending,
    message: MessageId,
    customer: UserId,
    text: String,
}

pub struct Delivery {
    rest: Rest,
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
    lanes: Mutex<HashMap<ChannelId, Arc<Lane>>>,
    /// Items whose last attempt failed in a way that may still have reached Discord.
    unsure: Mutex<HashSet<OutboxKey>>,
    /// Whether a sweep ran since the start (the first one also finds items from before it).
    swept: AtomicBool,
}

impl Delivery {
    pub fn new(
        rest: Rest,
        desk: Arc<Desk>,
        clock: Arc<dyn Clock>,
        owners: Vec<UserId>,
        staff_channel: Option<ChannelId>,
    ) -> Delivery {
        Delivery {
            rest,
            desk,
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

    pub fn rest(&self) -> &Rest {
        &self.rest
    }

    pub fn set_me(&self, me: UserId) {
        let _ = self.me.set(me);
    }

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
                }
            )
        };
        let Some(me) = self.me.get().copied() else {
            // Before READY frontdesk cannot tell its own messages: READY's sweep, a moment
            // later, checks and sends these.
            return items.into_iter().filter(|p| !checked(p)).collect();
        };
        // Only what may have been sent: everything left from before this start, and what an
        // attempt left unsure. A fresh item is not worth a history read (nor its wait).
        let first = !self.swept.swap(true, Ordering::Relaxed);
        let (acks, mut rest): (Vec<Pending>, Vec<Pending>) = {
            let unsure = self.unsure.lock().unwrap_or_else(|p| p.into_inner());
            items
                .into_iter()
                .partition(|p| checked(p) && (first || unsure.contains(&p.key)))
        };
        // Claimed while checking, so no live delivery sends them meanwhile.
        let acks = self.take(acks);
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
                    let recorded = self.record(p.record.conversation, sent.clone(), text);
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

    fn release(&self, key: &OutboxKey) {
        let mut busy = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        busy.remove(key);
    }

    /// frontdesk's own messages in `channel` after the oldest of `pending`, by the customer
    /// message each acknowledges. Empty when the history cannot be read: then the items are
    /// simply sent again, as before.
    async fn answered_in(
        &self,
        me: UserId,
        channel: ChannelId,
        pending: &[Pending],
    ) -> HashMap<MessageId, Value> {
        let oldest = pending
            .iter()
            .filter_map(|p| match p.record.item {
                OutboxItem::Ack { reply_to, .. } => Some(reply_to.0),
                _ => None,
            })
            .min()
            .unwrap_or(0);
        let path = format!(
            "/channels/{channel}/messages?after={}&limit=100",
            oldest.saturating_sub(1)
        );
        let page = match self
            .rest
            .call(Method::GET, &path, &format!("channel:{channel}"), None)
            .await
        {
            Ok(page) => page,
            Err(e) => {
                tracing::debug!(channel = channel.0, error = %e, "cannot read history before resending");
                return HashMap::new();
            }
        };
        let mut answered = HashMap::new();
        for m in page.as_array().map(Vec::as_slice).unwrap_or_default() {
            if snowflake(&m["author"]["id"]) != Some(me.0) {
                continue;
            }
            let replied = snowflake(&m["message_reference"]["message_id"]).map(MessageId);
            let linked = acknowledged_in(m["content"].as_str().unwrap_or(""), channel.0);
            for id in replied.into_iter().chain(linked) {
                answered.insert(id, m.clone());
            }
        }
        answered
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
                    let notices = items
                        .into_iter()
                        .filter(|p| matches!(p.record.item, OutboxItem::Notice { .. }))
                        .collect();
                    self.deliver_now(notices).await;
                }
                Err(e) => tracing::error!(error = %e, "cannot read the outbox"),
            }
        }
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
                OutboxItem::Notice { .. } => Ok(()),
            };
            self.settle(p, &Outcome::of(result)).await;
        }
        if !notices.is_empty() {
            let outcome = Outcome::of(self.notify(&notices).await);
            // One digest delivered them all: one flush makes all their marks durable. A flush
            // each made a gathering of ~145 notices cost 145 fsyncs in a row: 21–47 ms of
            // work every 0.7 s at 200 new customers/s, 4.7–9.6 ms with one (BENCHMARKS.md §2).
            let mut marked = false;
            for p in &notices {
                marked |= self.mark(p, &outcome);
            }
            if marked {
                self.flush_marks().await;
            }
        }
        let mut busy = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        for k in keys {
            busy.remove(&k);
        }
    }

    /// Sorts out the acknowledgements that go through a channel lane. Thread-mode
    /// acknowledgements each have their own thread, and a DM channel has one customer: neither
    /// has anything to merge, so they are sent directly as before.
    fn by_lane(&self, items: Vec<Pending>) -> (BTreeMap<ChannelId, Vec<Queued>>, Vec<Pending>) {
        let mut lanes: BTreeMap<ChannelId, Vec<Queued>> = BTreeMap::new();
        let mut direct = Vec::new();
        for p in items {
            let OutboxItem::Ack {
                channel,
                reply_to,
                customer,
                text,
                open_thread: None,
                ..
            } = &p.record.item
            else {
                direct.push(p);
                continue;
            };
            let (channel, message, customer, text) = (*channel, *reply_to, *customer, text.clone());
            lanes.entry(channel).or_default().push(Queued {
                p,
                message,
                customer,
                text,
            });
        }
        (lanes, direct)
    }

    fn lane(&self, channel: ChannelId) -> Arc<Lane> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        lanes.entry(channel).or_default().clone()
    }

    /// Queues `items` in the channel's lane. If a task is already sending there, that is all:
    /// the sender takes them with its next batch, and this call (and the serenity task behind
    /// it) ends at once instead of waiting its turn. In a burst, hundreds of event tasks used
    /// to wait here, each holding kilobytes (BENCHMARKS.md §3). Otherwise this call becomes
    /// the sender and sends batches until the lane is empty.
    async fn through_lane(&self, channel: ChannelId, items: Vec<Queued>) {
        let lane = self.lane(channel);
        {
            let mut state = lane.state();
            state.queue.extend(items);
            if state.sending {
                return;
            }
            state.sending = true;
        }
        let sending = Sending(&lane);
        let mut marked = false;
        loop {
            let batch = {
                let mut state = lane.state();
                if state.queue.is_empty() {
                    // Given up under the same lock that found the queue empty, so an item
                    // queued a moment later finds no sender and becomes one.
                    state.sending = false;
                    break;
                }
                std::mem::take(&mut state.queue)
            };
            marked |= self.send_batch(channel, batch).await;
        }
        sending.given_up();
        // Once the lane is empty, not per batch: the next batch should not wait for a disk.
        // Until then sled's own periodic flush covers the marks.
        if marked {
            self.flush_marks().await;
        }
    }

    /// Sends one lane's batch: waits for the channel's rate-limit window, then replies one by
    /// one while the window has room for all of them, merged otherwise. Marks and releases
    /// every item; returns whether any was marked done.
    async fn send_batch(&self, channel: ChannelId, mut batch: Vec<Queued>) -> bool {
        let bucket = format!("channel:{channel}");
        let mut slots = self.rest.ready(&bucket).await;
        let mut marked = false;
        // Nothing has told the room in this channel's window yet (the first send since the
        // start): one personal reply first, whose answer announces the window, then decide.
        if slots.is_none() && batch.len() > 1 {
            let q = batch.remove(0);
            let result = self
                .ack(&q.p, channel, q.message, q.customer, &q.text, None)
                .await;
            marked |= self.mark(&q.p, &Outcome::of(result));
            self.release(&q.p.key);
            slots = self.rest.ready(&bucket).await;
        }
        // Room still unknown (no answer announced a limit: rate limits off, or only bare
        // 429s) counts as room.
        let outcomes = if batch.len() == 1 || slots.is_none_or(|room| batch.len() as u64 <= room) {
            let mut outcomes = Vec::with_capacity(batch.len());
            for q in &batch {
                let result = self
                    .ack(&q.p, channel, q.message, q.customer, &q.text, None)
                    .await;
                outcomes.push(Outcome::of(result));
            }
            outcomes
        } else {
            self.ack_merged(channel, &batch).await
        };
        for (q, outcome) in batch.iter().zip(&outcomes) {
            marked |= self.mark(&q.p, outcome);
            self.release(&q.p.key);
        }
        marked
    }

    /// Sends `batch` as merged acknowledgements, each recorded in every conversation it
    /// covers; returns each item's outcome, in order. A merged message links each customer's
    /// message, which needs its server: items whose conversation says none (cannot happen in a
    /// server channel, but the store is the authority) go out as plain replies instead.
    async fn ack_merged(&self, channel: ChannelId, batch: &[Queued]) -> Vec<Outcome> {
        let mut outcomes: Vec<Option<Outcome>> = batch.iter().map(|_| None).collect();
        let mut lines = Vec::with_capacity(batch.len());
        let mut line_of = Vec::with_capacity(batch.len());
        for (i, q) in batch.iter().enumerate() {
            let guild = match self.desk.conversation(q.p.record.conversation) {
                Ok(conv) => conv.and_then(|c| c.place.guild()),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read a conversation; acknowledging it alone");
                    None
                }
            };
            match guild {
                Some(guild) => {
                    lines.push(AckLine {
                        guild: guild.0,
                        channel,
                        message: q.message,
                        customer: q.customer,
                        text: &q.text,
                    });
                    line_of.push(i);
                }
                None => {
                    let result = self
                        .ack(&q.p, channel, q.message, q.customer, &q.text, None)
                        .await;
                    outcomes[i] = Some(Outcome::of(result));
                }
            }
        }
        for merged in merged_acks(&lines) {
            tracing::debug!(
                channel = channel.0,
                customers = merged.covers.len(),
                "acknowledging together"
            );
            match self.post(channel, &merged.body).await {
                Ok(sent) => {
                    for &l in &merged.covers {
                        let i = line_of[l];
                        let q = &batch[i];
                        let recorded = self.record(q.p.record.conversation, sent.clone(), &q.text);
                        outcomes[i] = Some(Outcome::of(recorded.map_err(DeliveryError::from)));
                    }
                }
                Err(e) => {
                    let why = e.to_string();
                    let refused = matches!(e, RestError::Refused { .. });
                    for &l in &merged.covers {
                        outcomes[line_of[l]] = Some(if refused {
                            Outcome::Refused(why.clone())
                        } else {
                            Outcome::Retry(why.clone())
                        });
                    }
                }
            }
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Outcome::Retry("not sent".into())))
            .collect()
    }

    /// Claims items for this delivery. An item read from the store before another task
    /// delivered it may no longer be pending: checked after claiming, so it goes out once.
    fn take(&self, items: Vec<Pending>) -> Vec<Pending> {
        let mut busy = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
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
                tracing::error!(conversation, error = %why, "Discord refused a delivery; giving up on this item")
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

    fn note_unsure(&self, key: &OutboxKey, unsure: bool) {
        let mut set = self.unsure.lock().unwrap_or_else(|p| p.into_inner());
        if unsure {
            set.insert(key.clone());
        } else {
            set.remove(key);
        }
    }

    async fn ack(
        &self,
        p: &Pending,
        channel: ChannelId,
        reply_to: MessageId,
        customer: UserId,
        text: &str,
        open_thread: Option<&str>,
    ) -> Result<(), DeliveryError> {
        let conversation = p.record.conversation;
        let (target, reply) = match open_thread {
            Some(name) => {
                let known = self.desk.conversation(conversation)?.and_then(|c| c.thread);
                let thread = match known {
                    Some(t) => t,
                    None => {
                        let t = self.start_thread(channel, reply_to, name).await?;
                        self.desk.thread_opened(conversation, t)?;
                        t
                    }
                };
                (thread, None)
            }
            None => (channel, Some((channel, reply_to))),
        };
        let body = message_body(&Outbound {
            text,
            ping: Some(customer),
            reply_to: reply,
            nonce: format!("a{reply_to}"),
            buttons: Vec::new(),
        });
        let sent = self.post(target, &body).await?;
        self.record(conversation, sent, text)?;
        Ok(())
    }

    async fn close(
        &self,
        p: &Pending,
        channel: ChannelId,
        text: &str,
    ) -> Result<(), DeliveryError> {
        let body = message_body(&Outbound {
            text,
            ping: None,
            reply_to: None,
            nonce: format!("c{}", short_hash(p.key.as_bytes())),
            buttons: Vec::new(),
        });
        let sent = self.post(channel, &body).await?;
        self.record(p.record.conversation, sent, text)?;
        Ok(())
    }

    /// Copies a customer's DM into the conversation's private staff thread, opening the
    /// thread on the first message.
    async fn relay_in(
        &self,
        p: &Pending,
        source: MessageId,
        text: &str,
        thread_name: &str,
    ) -> Result<(), DeliveryError> {
        let Some(staff) = self.staff_channel else {
            return Ok(());
        };
        let conversation = p.record.conversation;
        // One thread per conversation, even when two relays are delivered at once.
        let _one = self.relay_lock.lock().await;
        let known = self.desk.conversation(conversation)?.and_then(|c| c.relay);
        let thread = match known {
            Some(t) => t,
            None => {
                let body = json!({
                    "name": thread_name,
                    "type": 12,
                    "invitable": false,
                    "auto_archive_duration": 10080,
                });
                let created = self
                    .rest
                    .call(
                        Method::POST,
                        &format!("/channels/{staff}/threads"),
                        &format!("channel:{staff}:threads"),
                        Some(&body),
                    )
                    .await?;
                let thread = ChannelId(snowflake(&created["id"]).unwrap_or(0));
                self.desk.relay_opened(conversation, thread)?;
                thread
            }
        };
        let body = message_body(&Outbound {
            text,
            ping: None,
            reply_to: None,
            nonce: format!("i{source}"),
            buttons: Vec::new(),
        });
        self.post(thread, &body).await?;
        Ok(())
    }

    /// Sends a staff reply to the customer's DM; it pings nobody (a DM notifies anyway).
    async fn relay_out(
        &self,
        p: &Pending,
        source: MessageId,
        channel: ChannelId,
        text: &str,
    ) -> Result<(), DeliveryError> {
        let body = message_body(&Outbound {
            text,
            ping: None,
            reply_to: None,
            nonce: format!("u{source}"),
            buttons: Vec::new(),
        });
        let sent = self.post(channel, &body).await?;
        self.record(p.record.conversation, sent, text)?;
        Ok(())
    }

    fn record(&self, conversation: MessageId, sent: Value, text: &str) -> Result<(), StoreError> {
        let (Some(id), Some(me)) = (snowflake(&sent["id"]), self.me.get()) else {
            return Ok(());
        };
        self.desk
            .record_own_message(conversation, MessageId(id), *me, text, self.clock.now())
    }

    async fn post(&self, channel: ChannelId, body: &Value) -> Result<Value, RestError> {
        self.rest
            .call(
                Method::POST,
                &format!("/channels/{channel}/messages"),
                &format!("channel:{channel}"),
                Some(body),
            )
            .await
    }

    async fn start_thread(
        &self,
        channel: ChannelId,
        message: MessageId,
        name: &str,
    ) -> Result<ChannelId, RestError> {
        let body = json!({ "name": name, "auto_archive_duration": 10080 });
        let result = self
            .rest
            .call(
                Method::POST,
                &format!("/channels/{channel}/messages/{message}/threads"),
                &format!("channel:{channel}:threads"),
                Some(&body),
            )
            .await;
        match result {
            Ok(v) => Ok(ChannelId(snowflake(&v["id"]).unwrap_or(message.0))),
            // A thread started on a message has the message's id.
            Err(e) if e.code() == Some(THREAD_EXISTS) => Ok(ChannelId(message.0)),
            Err(e) => Err(e),
        }
    }

    /// Sends the notices to every owner as one digest (split only at Discord's size limit).
    async fn notify(&self, notices: &[Pending]) -> Result<(), DeliveryError> {
        let now = self.clock.now();
        let mut parts = Vec::new();
        let mut buttons = Vec::new();
        for p in notices {
            let OutboxItem::Notice { kind } = p.record.item else {
                continue;
            };
            let Some(conv) = self.desk.conversation(p.record.conversation)? else {
                continue;
            };
            let excerpt = self.desk.last_customer_words(&conv)?;
            if buttons.len() < 5
                && !buttons
                    .iter()
                    .any(|row: &Vec<Button>| row_for(row) == Some(conv.id))
            {
                buttons.push(conversation_buttons(&conv));
            }
            parts.push(notice::describe(kind, &conv, excerpt.as_deref(), now));
        }
        if parts.is_empty() {
            return Ok(());
        }
        if parts.len() > 1 {
            // Several customers: name each row's customer on its buttons.
            buttons = self.label_rows(buttons)?;
        }
        let mut customers: Vec<MessageId> = notices.iter().map(|p| p.record.conversation).collect();
        customers.sort_unstable();
        customers.dedup();
        let chunks = chunk(&notice::digest(&parts, customers.len()));
        let nonce_base = short_hash(
            &notices
                .iter()
                .flat_map(|p| p.key.as_bytes().iter().copied())
                .collect::<Vec<_>>(),
        );
        let targets: Vec<Option<UserId>> = if self.owners.is_empty() {
            vec![None]
        } else {
            self.owners.iter().copied().map(Some).collect()
        };
        for owner in targets {
            for (i, text) in chunks.iter().enumerate() {
                let nonce = format!("n{nonce_base}{i}{}", owner.map_or(0, |o| o.0 % 1000));
                // Buttons go under the last part of a split digest, next to its end.
                let rows = if i + 1 == chunks.len() {
                    buttons.clone()
                } else {
                    Vec::new()
                };
                self.notify_one(owner, text, &nonce, rows).await?;
            }
        }
        Ok(())
    }

    /// Adds the customer's name to each row's labels ("Snooze 1 h · bob").
    fn label_rows(&self, rows: Vec<Vec<Button>>) -> Result<Vec<Vec<Button>>, StoreError> {
        let mut out = Vec::new();
        for row in rows {
            let name = match row_for(&row) {
                Some(id) => self
                    .desk
                    .conversation(id)?
                    .map(|c| c.customer_name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            out.push(
                row.into_iter()
                    .map(|b| match b {
                        Button::Action {
                            action,
                            conversation,
                            label,
                        } => Button::Action {
                            action,
                            conversation,
                            label: format!("{label} · {name}"),
                        },
                        Button::Link { label, url } => Button::Link {
                            label: format!("{label} · {name}"),
                            url,
                        },
                    })
                    .collect(),
            );
        }
        Ok(out)
    }

    async fn notify_one(
        &self,
        owner: Option<UserId>,
        text: &str,
        nonce: &str,
        buttons: Vec<Vec<Button>>,
    ) -> Result<(), DeliveryError> {
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
                    Ok(_) => return Ok(()),
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
            return Ok(());
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
        self.post(staff, &body).await?;
        Ok(())
    }

    async fn dm_channel(&self, user: UserId) -> Result<ChannelId, RestError> {
        if let Some(c) = self
            .dm_channels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&user)
        {
            return Ok(*c);
        }
        let answer = self
            .rest
            .call(
                Method::POST,
                "/users/@me/channels",
                "dm-create",
                Some(&json!({ "recipient_id": user.to_string() })),
            )
            .await?;
        let channel = ChannelId(snowflake(&answer["id"]).unwrap_or(0));
        self.dm_channels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(user, channel);
        Ok(channel)
    }
}

/// Snooze 1 h · Mark answered · Open, for one conversation.
fn conversation_buttons(conv: &crate::core::Conversation) -> Vec<Button> {
    vec![
        Button::Action {
            action: Action::SnoozeHour,
            conversation: conv.id,
            label: "Snooze 1 h".into(),
        },
        Button::Action {
            action: Action::MarkAnswered,
            conversation: conv.id,
            label: "Mark answered".into(),
        },
        Button::Link {
            label: "Open".into(),
            url: conv.place.jump_link(conv.id),
        },
    ]
}

fn row_for(row: &[Button]) -> Option<MessageId> {
    row.iter().find_map(|b| match b {
        Button::Action { conversation, .. } => Some(*conversation),
        Button::Link { .. } => None,
    })
}

fn snowflake(v: &Value) -> Option<u64> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_u64())
}

/// Splits text into messages of at most Discord's limit, at line breaks where possible.
fn chunk(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > DISCORD_MESSAGE_LIMIT {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            let mut rest = line;
            while rest.chars().count() > DISCORD_MESSAGE_LIMIT {
                let cut = rest
                    .char_indices()
                    .nth(DISCORD_MESSAGE_LIMIT)
                    .map_or(rest.len(), |(i, _)| i);
                out.push(rest[..cut].to_string());
                rest = &rest[cut..];
            }
            current.push_str(rest);
        } else {
            current.push_str(line);
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_respect_the_limit_and_keep_everything() {
        let text = format!(
            "{}\n{}\n{}",
            "a".repeat(1500),
            "b".repeat(1500),
            "c".repeat(4500)
        );
        let parts = chunk(&text);
        assert!(parts
            .iter()
            .all(|p| p.chars().count() <= DISCORD_MESSAGE_LIMIT));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn nonces_fit_discords_25_characters() {
        let n = format!("n{}{}{}", short_hash(&[1; 64]), 9, 999);
        assert!(n.len() <= 25, "{n}");
    }
}
