//! The front desk: runs one event through the core and stores the result. The one door
//! between the edges and the store: `discord/` asks it, by what it means, for everything it
//! reads or writes.
//!
//! This is the imperative shell around [`crate::core`]: it looks up the conversation an event
//! belongs to, asks the core what to do, and commits the new state together with the outbox
//! entries (acknowledgement, notices) in one commit (`intake`; clock ticks and staff commands
//! here). It never talks to Discord: the caller delivers the returned outbox entries and
//! marks them done (`outbox`); a live message is committed, then delivered (`live`).
//! Catch-up's cursors live in `history`, the reads behind slash commands in `queries`.

mod blocking;
mod customers;
mod digest;
mod forget;
mod history;
mod intake;
mod live;
mod outbox;
mod queries;
mod ratings;
mod records;
mod search;
mod stats;
mod views;
mod written;

use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

use crate::config::Config;
use crate::core::{
    self, step, wake_at, Away, Command, Context, Conversation, ConversationId, Effect, Input,
    Policy, Staff, Step,
};
use crate::responses::promises::PromiseRules;
use crate::responses::replies::SavedReplies;
use crate::responses::Rules;
pub use crate::store::{
    BlockRecord, Forgotten, Health, NoticePost, OutboxItem, OutboxKey, OutboxRecord, Pending,
};
use crate::store::{Change, Store, StoreError};
use crate::sync::LockExt;
pub use blocking::Blocked;
pub use customers::CustomerFile;
pub use digest::DigestReport;
pub use ratings::RatingOutcome;
pub use records::Records;
pub use search::{SearchPage, HEADS_BUDGET, SCAN_BUDGET};
pub use views::{ExportRow, TranscriptEntry};

/// What can fail behind the desk, as the edges see it: the database could not be opened,
/// read or written. Its text names the cause and the fix.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Database(#[from] StoreError),
}

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

/// What [`Desk::receive`] did with a live message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// Stored, and its outbox entries (`deliveries` of them) delivered.
    Stored {
        conversation: ConversationId,
        deliveries: usize,
    },
    /// Nothing to store or deliver.
    Nothing(Handled),
}

pub struct Desk {
    store: Store,
    policy: Policy,
    rules: Rules,
    /// What in a staff reply promises a later answer (`responses/promises.toml`).
    promises: PromiseRules,
    /// Named replies staff send in their own name (`responses/replies.toml`).
    saved: SavedReplies,
    staff: Staff,
    /// How soon a first reply should come, for `/status` and `/stats`.
    reply_target: SignedDuration,
    /// Striped locks, by place (a customer's "new or existing conversation?" is decided one
    /// message at a time) and by conversation (every change to one is serialised). Different
    /// customers run in parallel.
    stripes: Vec<Mutex<()>>,
    eta: Mutex<Option<(Timestamp, String)>>,
    /// Makes dashboard login links (`/dashboard`), when the dashboard is on.
    login_links: std::sync::OnceLock<LoginLinks>,
    /// `[digest] weekly`: queue each owner's weekly digest on the clock's ticks.
    weekly_digest: bool,
}

/// Makes a dashboard login link for a staff member (asked in a server, if any); `None` when
/// it cannot (logged where it failed).
pub type LoginLinks = Box<
    dyn Fn(crate::model::UserId, Option<crate::model::GuildId>, Timestamp) -> Option<String>
        + Send
        + Sync,
>;

impl Desk {
    pub fn new(store: Store, config: &Config, rules: Rules) -> Desk {
        let policy = policy_from(config);
        stats::build_once(&store, &policy.hours);
        Desk {
            store,
            policy,
            rules,
            promises: PromiseRules::builtin(),
            saved: SavedReplies::builtin(),
            staff: config.staff.clone(),
            reply_target: config.reply_target,
            stripes: (0..64).map(|_| Mutex::new(())).collect(),
            eta: Mutex::new(None),
            login_links: std::sync::OnceLock::new(),
            weekly_digest: config.weekly_digest,
        }
    }

    /// The desk with the owner's promise rules instead of the built-in ones.
    pub fn with_promises(mut self, promises: PromiseRules) -> Desk {
        self.promises = promises;
        self
    }

    /// The desk with the owner's saved replies instead of the shipped ones.
    pub fn with_saved_replies(mut self, saved: SavedReplies) -> Desk {
        self.saved = saved;
        self
    }

    /// The saved replies staff can send.
    pub fn saved_replies(&self) -> &SavedReplies {
        &self.saved
    }

    /// The store itself, for tests and benchmarks: the edges use the desk's named methods.
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
        self.stripes[stripe].locked()
    }

    /// The lock of one conversation: every change to a stored conversation holds it.
    fn conversation_lock(&self, id: ConversationId) -> std::sync::MutexGuard<'_, ()> {
        self.lock(self.stripe_of(&id))
    }

    /// `{eta}` in words, from recent first replies counted in open hours.
    pub fn eta(&self, now: Timestamp) -> Result<String, DeskError> {
        let mut cached = self.eta.locked();
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
            promises: &self.promises,
            away,
            eta,
            late,
            earlier_conversations: earlier,
        }
    }

    /// Runs the clock for every conversation that is due, and queues the weekly digest when
    /// it is due; returns what to deliver.
    pub fn tick(&self, now: Timestamp) -> Result<Vec<Pending>, DeskError> {
        // A digest that cannot be queued now is tried again at the next tick; reminders go on.
        let digests = self.weekly_digest(now).unwrap_or_else(|e| {
            tracing::error!(error = %e, "could not queue the weekly digest");
            Vec::new()
        });
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
            return Ok(digests);
        }
        self.store.flush()?;
        let mut due = digests;
        for id in changed {
            due.extend(self.store.pending_for(id)?);
        }
        Ok(due)
    }

    /// Commits without flushing (the caller flushes once for a batch).
    fn commit_quiet(&self, out: Step, now: Timestamp) -> Result<Handled, DeskError> {
        let Some(conv) = out.conversation else {
            return Ok(Handled::NotAConversation);
        };
        let change = Change {
            wake_at: wake_at(&conv, &self.policy),
            outbox: out.effects.iter().map(outbox_item).collect(),
            wait: conv.waits,
            now: Some(now),
            stats: Some(self.stats_entry(&conv)),
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
    ) -> Result<Option<(Conversation, Vec<Pending>)>, DeskError> {
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

pub(super) fn outbox_item(effect: &Effect) -> OutboxItem {
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
        Effect::AskRating(request) => OutboxItem::rating_request(request),
        Effect::RemindPromise(r) => OutboxItem::PromiseReminder {
            number: r.number,
            step: r.step,
            escalated: r.escalated,
        },
        Effect::TellClaimed(c) => OutboxItem::claim_told(c),
        Effect::ShowHolder { change, .. } => OutboxItem::ShowHolder { change: *change },
        Effect::Reply(r) => OutboxItem::Reply {
            source: r.source,
            channel: r.channel,
            reply_to: r.reply_to,
            ping: r.ping,
            text: r.text.clone(),
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
        ratings: config.ratings,
        escalation: config.escalation.clone(),
        promises: config.promises,
        claims: crate::core::ClaimPolicy {
            tell_customer: config.claim_tell_customer,
        },
    }
}
