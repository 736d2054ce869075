//! The intake of one message: which conversation it belongs to (new or existing, a staff
//! reply or not), what the core makes of it, and the commit of the result.

use jiff::Timestamp;

use super::{outbox_item, Arrival, Desk, DeskError, Handled};
use crate::core::{
    role_of, step, wake_at, Conversation, ConversationKey, Effect, Input, Role, Step,
};
use crate::model::{Incoming, Speaker, UserId};
use crate::store::{Change, Committed, MessageRecord, RECORD_VERSION};

impl Desk {
    /// Handles one message from a watched place: commits the change (atomic, visible to every
    /// later read) and returns what to deliver.
    ///
    /// The commit is not flushed here: Discord's history is the log. sled makes it durable
    /// within `flush_every`; if the process dies first, catch-up finds the message after the last durable checkpoint and rebuilds
    /// the conversation, without a second acknowledgement if this one already went out.
    pub fn handle_message(
        &self,
        msg: &Incoming,
        me: UserId,
        now: Timestamp,
        arrival: Arrival,
    ) -> Result<Handled, DeskError> {
        match role_of(&msg.author, me, &self.staff) {
            Role::Myself | Role::Bot => Ok(Handled::Ignored),
            Role::Staff => self.staff_message(msg, now),
            Role::Customer => self.customer_message(msg, now, arrival),
        }
    }

    pub(super) fn customer_message(
        &self,
        msg: &Incoming,
        now: Timestamp,
        arrival: Arrival,
    ) -> Result<Handled, DeskError> {
        let late = arrival != Arrival::Live;
        let key = ConversationKey::of(&msg.place, msg.author.id);
        // The place's lock decides "new or existing conversation" one message at a time; the
        // conversation's own lock (taken second, never the other way round) orders this change
        // against staff replies, ticks and commands, which arrive by other keys.
        let place_stripe = self.stripe_of(&key);
        let _place = self.lock(place_stripe);
        // A second delivery of this message is caught by the commit's claim check: no read
        // here, as nearly every message is new.
        let mut latest = self.store.latest_for(&key)?;
        let conv_stripe = latest.as_ref().map(|c| self.stripe_of(&c.id));
        let _conversation = match conv_stripe {
            Some(s) if s != place_stripe => {
                let guard = self.lock(s);
                latest = self.store.latest_for(&key)?;
                Some(guard)
            }
            _ => None,
        };
        let away = self.store.away();
        let eta = self.eta(now)?;
        let earlier = self.store.customer_conversation_count(msg.author.id);
        let cx = self.context(now, away.as_ref(), &eta, late, earlier);
        let input = if self.store.is_blocked(msg.author.id) {
            Input::Blocked(msg)
        } else {
            Input::Customer(msg)
        };
        let mut out = step(latest.as_ref(), input, &cx);
        if let Arrival::Late {
            acknowledged,
            answered,
        } = arrival
        {
            out.effects.retain(|e| match e {
                Effect::Acknowledge(_) => !(acknowledged || answered),
                Effect::Notify(_) => !answered,
                Effect::Close { .. }
                | Effect::RelayIn { .. }
                | Effect::RelayOut { .. }
                | Effect::AskRating(_)
                | Effect::RemindPromise(_)
                | Effect::TellClaimed(_)
                | Effect::ShowHolder { .. }
                | Effect::Reply(_) => true,
            });
        }
        self.commit(out, Some(msg), Speaker::Customer, now)
    }

    pub(super) fn staff_message(
        &self,
        msg: &Incoming,
        now: Timestamp,
    ) -> Result<Handled, DeskError> {
        let conversation = match ConversationKey::of(&msg.place, msg.author.id) {
            ConversationKey::Thread(_) => self
                .store
                .latest_for(&ConversationKey::of(&msg.place, msg.author.id))?,
            // In a shared channel only a reply says which customer a staff message answers.
            ConversationKey::ChannelCustomer(..) => match msg.reply_to {
                Some(r) => match self.store.conversation_of_message(r)? {
                    Some(id) => self.store.conversation(id)?,
                    None => None,
                },
                None => None,
            },
            // Staff cannot write into a customer's DM; their own DMs to the bot are not replies.
            ConversationKey::Dm(_) => None,
        };
        let Some(conv) = conversation else {
            return Ok(Handled::NotAConversation);
        };
        let _turn = self.conversation_lock(conv.id);
        // Re-read under the lock: a customer message may have changed it meanwhile.
        let conv = self.store.conversation(conv.id)?.unwrap_or(conv);
        let eta = String::new();
        let cx = self.context(now, None, &eta, false, 0);
        let out = step(Some(&conv), Input::Staff(msg), &cx);
        self.commit(out, Some(msg), Speaker::Staff, now)
    }

    pub(super) fn commit(
        &self,
        out: Step,
        msg: Option<&Incoming>,
        speaker: Speaker,
        now: Timestamp,
    ) -> Result<Handled, DeskError> {
        let Some(conv) = &out.conversation else {
            return Ok(Handled::NotAConversation);
        };
        let change = self.change(conv, &out, msg, speaker, now);
        // Only what this change stored: anything older still pending is the sweep's.
        let Committed::Stored { deliver } = self.store.commit(&change)? else {
            return Ok(Handled::Duplicate);
        };
        Ok(Handled::Stored {
            conversation: conv.id,
            deliver,
        })
    }

    /// The writes of one step caused by a message.
    pub(super) fn change(
        &self,
        conv: &Conversation,
        out: &Step,
        msg: Option<&Incoming>,
        speaker: Speaker,
        now: Timestamp,
    ) -> Change {
        Change {
            claim: msg.map(|m| m.id),
            wake_at: wake_at(conv, &self.policy),
            message: msg.filter(|_| out.log_message).map(|m| MessageRecord {
                v: RECORD_VERSION,
                id: m.id,
                author: m.author.id,
                author_name: m.author.name.clone(),
                speaker,
                content: m.content.clone(),
                at: m.at,
            }),
            outbox: out.effects.iter().map(outbox_item).collect(),
            wait: conv.waits,
            // Checkpoints belong to catch-up, which reads history without gaps; a live event
            // may arrive while an earlier one was lost, so it must not move them.
            checkpoint: None,
            now: Some(now),
            stats: Some(self.stats_entry(conv)),
            conversation: Some(conv.clone()),
        }
    }
}
