//! The front desk: runs one event through the core and stores the result. The one door
//! between the edges and the store: `discord/` asks it, by what it means, for everything it
//! reads or writes.
//!
//! This is the imperative shell around [`crate::core`]: it looks up the conversation an event
//! belongs to, asks the core what to do, and commits the new state together with the outbox
//! entries (acknowledgement, notices) in one commit. It never talks to Discord:
//! the caller delivers the returned outbox entries and marks them done (`outbox`). A live
//! message that opens a conversation in a server channel is the exception to "commit first":
//! see `opening`. Catch-up's cursors live in `history`, the reads behind slash commands in
//! `queries`.

mod history;
mod opening;
mod outbox;
mod queries;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};

use crate::config::Config;
use crate::core::{
    self, role_of, step, wake_at, Away, Command, Context, Conversation, ConversationId,
    ConversationKey, Effect, Input, Policy, Role, Staff, Step,
};
use crate::model::{Incoming, Place, UserId};
use crate::responses::Rules;
use crate::store::{Change, Committed, MessageRecord, Speaker, Store, RECORD_VERSION};
pub use crate::store::{OutboxItem, OutboxKey, OutboxRecord, Pending, StoreError};
pub use opening::{Live, Opening, Received, OPENING_COMMIT_WAIT};

/// How many recent first replies `{eta}` looks at.
const ETA_SAMPLES: usize = 50;
/// How long a computed `{eta}` is reused before it is computed again.
const ETA_REFRESH: SignedDuration = SignedDuration::from_mins(5);

/// How a message reached frontdesk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Arrival {
    /// From the gateway, as it was posted.
    #[default]
    Live,
    /// Found by catch-up in the channel's history after downtime or a lost event.
    Late {
        /// frontdesk's own acknowledgement of it is already in the history (sent before a
        /// crash or a lost database): rebuild the conversation, but do not acknowledge again.
        acknowledged: bool,
        /// A staff member already answered it: store it quietly.
        answered: bool,
    },
}

/// What happened to one incoming message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handled {
    /// From frontdesk itself or another bot.
    Ignored,
    /// Already handled (a second delivery of the same message).
    Duplicate,
    /// A staff message outside any conversation.
    NotAConversation,
    /// Stored; deliver these outbox entries (possibly none).
    Stored {
        conversation: ConversationId,
        deliver: Vec<Pending>,
    },
}

/// One pass of the customer intake.
enum Intake {
    Done(Handled),
    Opening(Box<Opening>),
    /// The customer's previous message is an opening not stored yet: wait for this, then
    /// try again.
    Wait(Arc<tokio::sync::Mutex<()>>),
}

pub struct Desk {
    store: Store,
    policy: Policy,
    rules: Rules,
    staff: Staff,
    /// How soon a first reply should come, for `/status` and `/stats`.
    reply_target: SignedDuration,
    /// Striped locks, by place (a customer's "new or existing conversation?" is decided one
    /// message at a time) and by conversation (every change to one is serialised). Different
    /// customers run in parallel.
    stripes: Vec<Mutex<()>>,
    /// Places (a customer in a channel, a thread, a DM) with an [`Opening`] not stored yet.
    openings: Mutex<HashMap<ConversationKey, Arc<tokio::sync::Mutex<()>>>>,
    eta: Mutex<Option<(Timestamp, String)>>,
}

impl Desk {
    pub fn new(store: Store, config: &Config, rules: Rules) -> Desk {
        Desk {
            store,
            policy: policy_from(config),
            rules,
            staff: config.staff.clone(),
            reply_target: config.reply_target,
            stripes: (0..64).map(|_| Mutex::new(())).collect(),
            openings: Mutex::new(HashMap::new()),
            eta: Mutex::new(None),
        }
    }

    /// The store itself, for tests and tools: the edges use the desk's named methods.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    pub fn staff(&self) -> &Staff {
        &self.staff
    }

    pub fn reply_target(&self) -> SignedDuration {
        self.reply_target
    }

    fn stripe_of<K: Hash>(&self, key: &K) -> usize {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        (h.finish() % self.stripes.len() as u64) as usize
    }

    fn lock(&self, stripe: usize) -> std::sync::MutexGuard<'_, ()> {
        // A panic elsewhere while holding a stripe leaves no half-written state (sled commits
        // are atomic), so a poisoned lock is safe to keep using.
        self.stripes[stripe]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The lock of one conversation: every change to a stored conversation holds it.
    fn conversation_lock(&self, id: ConversationId) -> std::sync::MutexGuard<'_, ()> {
        self.lock(self.stripe_of(&id))
    }

    /// `{eta}` in words, from recent first replies counted in open hours.
    pub fn eta(&self, now: Timestamp) -> Result<String, StoreError> {
        let mut cached = self.eta.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, text)) = cached.as_ref() {
            if now.duration_since(*at).abs() < ETA_REFRESH {
                return Ok(text.clone());
            }
        }
        let samples: Vec<SignedDuration> = self
            .store
            .recent_replies(ETA_SAMPLES)?
            .iter()
            .map(|r| {
                self.policy
                    .hours
                    .open_time_between(r.opened_at, r.first_reply_at)
            })
            .collect();
        let text = core::eta::eta_phrase(&samples);
        *cached = Some((now, text.clone()));
        Ok(text)
    }

    fn context<'a>(
        &'a self,
        now: Timestamp,
        away: Option<&'a Away>,
        eta: &'a str,
        late: bool,
        earlier: u64,
    ) -> Context<'a> {
        Context {
            now,
            policy: &self.policy,
            rules: &self.rules,
            away,
            eta,
            late,
            earlier_conversations: earlier,
        }
    }

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
    ) -> Result<Handled, StoreError> {
        match role_of(&msg.author, me, &self.staff) {
            Role::Myself | Role::Bot => Ok(Handled::Ignored),
            Role::Staff => self.staff_message(msg, now),
            Role::Customer => loop {
                match self.customer_message(msg, now, arrival, false)? {
                    Intake::Done(handled) => return Ok(handled),
                    // Not asked for: never happens.
                    Intake::Opening(opening) => return self.finish_opening(*opening),
                    // An opening lasts a delivery's answer at most (`handler`); only catch-up,
                    // on a blocking thread, can meet one here.
                    Intake::Wait(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
                }
            },
        }
    }

    fn customer_message(
        &self,
        msg: &Incoming,
        now: Timestamp,
        arrival: Arrival,
        open_first: bool,
    ) -> Result<Intake, StoreError> {
        let late = arrival != Arrival::Live;
        let key = ConversationKey::of(&msg.place, msg.author.id);
        // The place's lock decides "new or existing conversation" one message at a time; the
        // conversation's own lock (taken second, never the other way round) orders this change
        // against staff replies, ticks and commands, which arrive by other keys.
        let place_stripe = self.stripe_of(&key);
        let _place = self.lock(place_stripe);
        if let Some(turn) = self.opening_at(&key) {
            return Ok(Intake::Wait(turn));
        }
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
        let mut out = step(latest.as_ref(), Input::Customer(msg), &cx);
        if let Arrival::Late {
            acknowledged,
            answered,
        } = arrival
        {
            out.effects.retain(|e| match e {
                Effect::Acknowledge(_) => !(acknowledged || answered),
                Effect::Notify(_) => !answered,
                Effect::Close { .. } | Effect::RelayIn { .. } | Effect::RelayOut { .. } => true,
            });
        }
        if open_first && opens_with_a_channel_ack(&out, msg) {
            if let Some(conv) = &out.conversation {
                let change = self.change(conv, &out, Some(msg), Speaker::Customer, now);
                return self.open_first(key, change);
            }
        }
        self.commit(out, Some(msg), Speaker::Customer, now)
            .map(Intake::Done)
    }

    fn staff_message(&self, msg: &Incoming, now: Timestamp) -> Result<Handled, StoreError> {
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

    fn commit(
        &self,
        out: Step,
        msg: Option<&Incoming>,
        speaker: Speaker,
        now: Timestamp,
    ) -> Result<Handled, StoreError> {
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
    fn change(
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
            conversation: Some(conv.clone()),
        }
    }

    /// Runs the clock for every conversation that is due; returns what to deliver.
    pub fn tick(&self, now: Timestamp) -> Result<Vec<Pending>, StoreError> {
        let mut changed = Vec::new();
        for id in self.store.due(now) {
            let Some(conv) = self.store.conversation(id)? else {
                continue;
            };
            let _turn = self.conversation_lock(conv.id);
            let Some(conv) = self.store.conversation(id)? else {
                continue;
            };
            let cx = self.context(now, None, "", false, 0);
            let out = step(Some(&conv), Input::Tick, &cx);
            if out.conversation.is_some() {
                if let Handled::Stored { conversation, .. } = self.commit_quiet(out, now)? {
                    changed.push(conversation);
                }
            }
        }
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        self.store.flush()?;
        let mut due = Vec::new();
        for id in changed {
            due.extend(self.store.pending_for(id)?);
        }
        Ok(due)
    }

    /// Commits without flushing (the caller flushes once for a batch).
    fn commit_quiet(&self, out: Step, now: Timestamp) -> Result<Handled, StoreError> {
        let Some(conv) = out.conversation else {
            return Ok(Handled::NotAConversation);
        };
        let change = Change {
            wake_at: wake_at(&conv, &self.policy),
            outbox: out.effects.iter().map(outbox_item).collect(),
            wait: conv.waits,
            now: Some(now),
            conversation: Some(conv.clone()),
            ..Change::default()
        };
        self.store.commit(&change)?;
        Ok(Handled::Stored {
            conversation: conv.id,
            deliver: Vec::new(),
        })
    }

    /// Applies a staff command to a conversation; `None` if there is no such conversation.
    pub fn command(
        &self,
        id: ConversationId,
        cmd: Command,
        now: Timestamp,
    ) -> Result<Option<(Conversation, Vec<Pending>)>, StoreError> {
        let Some(conv) = self.store.conversation(id)? else {
            return Ok(None);
        };
        let turn = self.conversation_lock(conv.id);
        let conv = self.store.conversation(id)?.unwrap_or(conv);
        let cx = self.context(now, None, "", false, 0);
        let out = step(Some(&conv), Input::Command(cmd), &cx);
        let Some(next) = out.conversation.clone() else {
            return Ok(Some((conv, Vec::new())));
        };
        self.commit_quiet(out, now)?;
        // Not held through the fsync: customer messages take these locks on the async
        // workers, which must not wait for a disk.
        drop(turn);
        self.store.flush()?;
        Ok(Some((next, self.store.pending_for(id)?)))
    }
}

/// Whether `out` opens a new conversation with `msg` whose deliveries are only a plain
/// acknowledgement in a server channel and owner notices: nothing in it reads the stored
/// conversation back while it is delivered. A thread-mode acknowledgement records its thread
/// in the conversation, a DM's relay its staff thread, and a customer's first DM must be
/// durable before it is answered (bots cannot list their DM channels for catch-up).
fn opens_with_a_channel_ack(out: &Step, msg: &Incoming) -> bool {
    !matches!(msg.place, Place::Dm { .. })
        && out.conversation.as_ref().is_some_and(|c| c.id == msg.id)
        && out
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Acknowledge(_)))
        && out.effects.iter().all(|e| match e {
            Effect::Acknowledge(ack) => ack.open_thread.is_none(),
            Effect::Notify(_) => true,
            Effect::Close { .. } | Effect::RelayIn { .. } | Effect::RelayOut { .. } => false,
        })
}

fn outbox_item(effect: &Effect) -> OutboxItem {
    match effect {
        Effect::Acknowledge(ack) => OutboxItem::ack(ack),
        Effect::Notify(n) => OutboxItem::Notice { kind: n.kind },
        Effect::Close { channel, text, .. } => OutboxItem::Close {
            channel: *channel,
            text: text.clone(),
        },
        Effect::RelayIn {
            source,
            text,
            thread_name,
            ..
        } => OutboxItem::RelayIn {
            source: *source,
            text: text.clone(),
            thread_name: thread_name.clone(),
        },
        Effect::RelayOut {
            source,
            channel,
            text,
            ..
        } => OutboxItem::RelayOut {
            source: *source,
            channel: *channel,
            text: text.clone(),
        },
    }
}

/// The core's policy from the config.
pub fn policy_from(config: &Config) -> Policy {
    Policy {
        business_name: config.business_name.clone(),
        owner_name: config.owner_name.clone(),
        hours: config.hours.clone(),
        reminders: config.reminders.clone(),
        auto_resolve_after: config.auto_resolve_after,
        threads: config.watch.threads,
        closing_text: config.closing_text.clone(),
        quiet_hours: config.quiet_hours,
        relay_dms: config.watch.dms && config.discord.staff_channel.is_some(),
    }
}
