//! The channel lane: acknowledgements in one server channel, one sender at a time, which
//! waits for the channel's turn (`spacing`) and then takes everything queued (whoever finds a
//! sender there only queues). While the turn allows a message each they go out one reply
//! each; beyond that they go out merged, one message naming each customer, so nobody waits
//! much more than a second however busy the channel.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::queue::{Lane, Queued, Sending};
use super::spacing::{turn, Turn};
use super::{sent_id, Delivery, DeliveryError, Outcome};
use crate::desk::{OutboxItem, Pending};
use crate::discord::outbound::{merged_acks, AckLine};
use crate::discord::pace::Priority;
use crate::model::ChannelId;
use crate::sync::LockExt;

/// A channel window's length until an answer announced one (Discord's is 5 s).
const DEFAULT_PERIOD: std::time::Duration = std::time::Duration::from_secs(5);

impl Delivery {
    /// Sorts out the acknowledgements that go through a channel lane. Thread-mode
    /// acknowledgements each have their own thread, and a DM channel has one customer: neither
    /// has anything to merge, so they are sent directly as before.
    pub(super) fn by_lane(
        &self,
        items: Vec<Pending>,
    ) -> (BTreeMap<ChannelId, Vec<Queued>>, Vec<Pending>) {
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
        let mut lanes = self.lanes.locked();
        lanes.entry(channel).or_default().clone()
    }

    /// Queues `items` in the channel's lane. If a task is already sending there, that is all:
    /// the sender takes them with its next batch, and this call (and the serenity task behind
    /// it) ends at once instead of waiting its turn, so a burst does not keep hundreds of
    /// event tasks (kilobytes each) alive here. Otherwise this call becomes the sender and
    /// sends batches until the lane is empty.
    pub(super) async fn through_lane(&self, channel: ChannelId, items: Vec<Queued>) {
        let lane = self.lane(channel);
        {
            let mut state = lane.state();
            state.push(items, tokio::time::Instant::now());
            if state.sending {
                return;
            }
            state.sending = true;
        }
        let sending = Sending(&lane);
        let mut marked = false;
        loop {
            // The channel's turn first: what queues up meanwhile goes with this batch.
            let messages = self.turn(channel, &lane).await;
            let batch = {
                let mut state = lane.state();
                if state.queue.is_empty() {
                    // Given up under the same lock that found the queue empty, so an item
                    // queued a moment later finds no sender and becomes one.
                    state.sending = false;
                    break;
                }
                state.last_sent = Some(tokio::time::Instant::now());
                std::mem::take(&mut state.queue)
            };
            marked |= self.send_batch(channel, &lane, batch, messages).await;
        }
        sending.given_up();
        // Once the lane is empty, not per batch: the next batch should not wait for a disk.
        // Until then sled's own periodic flush covers the marks.
        if marked {
            self.flush_marks().await;
        }
    }

    /// Waits for the channel's turn: its rate-limit window open and, in a channel busier
    /// than its window, the next spaced slot. Returns how many messages may go now.
    async fn turn(&self, channel: ChannelId, lane: &Lane) -> Option<u64> {
        loop {
            let window = self.api.post_window(channel).await;
            let now = tokio::time::Instant::now();
            let within = window.period.unwrap_or(DEFAULT_PERIOD);
            let (recent, last) = {
                let state = lane.state();
                (state.arrived_within(now, within), state.last_sent)
            };
            match turn(now, &window, recent, last) {
                // What the channel allows, as far as the global budget can carry it at once:
                // replies that would queue for it go out merged instead.
                Turn::Now(Some(messages)) => {
                    return Some(messages.min(self.api.pacer().room().max(1) as u64))
                }
                Turn::Now(None) => return None,
                Turn::At(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    /// Sends one lane's batch in at most `messages` messages (`None`: no limit known): a
    /// reply each while that allows, merged otherwise. Marks and releases every item it sent;
    /// returns whether any was marked done.
    async fn send_batch(
        &self,
        channel: ChannelId,
        lane: &Lane,
        mut batch: Vec<Queued>,
        messages: Option<u64>,
    ) -> bool {
        let mut marked = false;
        // Nothing has told the room in this channel's window yet (the first send since the
        // start): one personal reply first, whose answer announces the window; the rest wait
        // for the turn it gives.
        if messages.is_none() && batch.len() > 1 {
            let q = batch.remove(0);
            let result = self
                .ack(&q.p, channel, q.message, q.customer, &q.text, None)
                .await;
            marked |= self.mark(&q.p, &Outcome::of(result));
            self.release(&q.p.key);
            if self.api.post_window(channel).await.remaining.is_some() {
                lane.state().put_back(batch);
                return marked;
            }
            // Still unknown (rate limits off, or only bare 429s): counts as room.
        }
        let outcomes = if batch.len() == 1 || messages.is_none_or(|m| batch.len() as u64 <= m) {
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
            match self.post_as(Priority::Now, channel, &merged.body).await {
                Ok(sent) => {
                    for &l in &merged.covers {
                        let i = line_of[l];
                        let q = &batch[i];
                        let recorded =
                            self.record(q.p.record.conversation, sent_id(&sent), &q.text);
                        outcomes[i] = Some(Outcome::of(recorded.map_err(DeliveryError::from)));
                    }
                }
                Err(e) => {
                    let why = e.to_string();
                    let refused = e.is_final();
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
}
