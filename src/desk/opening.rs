//! A live message: the intake of one gateway event, and the opening protocol for a new
//! conversation in a server channel (acknowledged first, written right after).
//!
//! The protocol is the desk's alone: the store hands the new conversation's outbox entries
//! out, the caller's deliverer sends them, and the desk commits the conversation once the
//! acknowledgement is answered or [`OPENING_COMMIT_WAIT`] has passed, whichever is first.
//! Meanwhile the customer's place is held, so their next message and a second delivery of
//! this one wait. An opening dropped before its commit (a task cancelled at shutdown) is
//! abandoned: its entries are taken back and catch-up rebuilds it from Discord's history.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use super::{Arrival, Desk, DeskError, Handled, Intake, Live, Opening, Received};
use crate::core::{role_of, ConversationKey, Role};
use crate::model::{Incoming, Place, UserId};
use crate::store::{Change, Committed, Pending};
use crate::sync::LockExt;

/// How long a new conversation's commit waits for its acknowledgement's answer. Committing
/// after the answer keeps the sled writes off the acknowledgement's path; the bound keeps a
/// rate-limited or slow send from leaving the conversation unstored (and the customer's next
/// message waiting) for longer than a moment.
pub const OPENING_COMMIT_WAIT: Duration = Duration::from_millis(50);

impl Desk {
    /// Handles a message from the gateway, from intake to delivery: stores it and hands what
    /// it must send to `deliver`, in the order durability asks for. A new conversation in a
    /// server channel is acknowledged first and committed as soon as the answer is in (see
    /// [`Opening`]); a customer's first DM is made durable, with its channel, before it is
    /// answered, as bots cannot list their DM channels for catch-up; everything else is
    /// committed, then delivered.
    pub async fn receive<F, D>(
        &self,
        msg: &Incoming,
        me: UserId,
        now: Timestamp,
        deliver: F,
    ) -> Result<Received, DeskError>
    where
        F: FnOnce(Vec<Pending>) -> D,
        D: Future<Output = ()>,
    {
        let mut new_dm_channel = false;
        if let Place::Dm { channel } = msg.place {
            match self.store.remember_dm_channel(msg.author.id, channel) {
                Ok(new) => new_dm_channel = new,
                Err(e) => tracing::warn!(error = %e, "could not remember a DM channel"),
            }
        }
        match self.handle_live(msg, me, now).await? {
            Live::Opening(mut opening) => {
                let conversation = opening.conversation();
                let items = opening.take_deliveries();
                let deliveries = items.len();
                let mut send = std::pin::pin!(deliver(items));
                let answered = tokio::time::timeout(OPENING_COMMIT_WAIT, &mut send)
                    .await
                    .is_ok();
                if let Err(e) = self.finish_opening(*opening) {
                    tracing::error!(error = %e, "could not store a new conversation; catch-up will rebuild it from Discord");
                }
                if !answered {
                    send.await;
                }
                Ok(Received::Stored {
                    conversation,
                    deliveries,
                })
            }
            Live::Done(Handled::Stored {
                conversation,
                deliver: items,
            }) => {
                let deliveries = items.len();
                if new_dm_channel {
                    if let Err(e) = self.store.flush_async().await {
                        tracing::error!(error = %e, "could not flush a new DM conversation");
                    }
                }
                deliver(items).await;
                Ok(Received::Stored {
                    conversation,
                    deliveries,
                })
            }
            Live::Done(other) => Ok(Received::Nothing(other)),
        }
    }

    /// [`Desk::handle_message`] for a message from the gateway: a new conversation whose
    /// acknowledgement goes to a channel comes back as an [`Opening`], to deliver first and
    /// then store with [`Desk::finish_opening`]. Waits (without blocking the thread) while
    /// this customer's previous message in the place is such an opening, and a staff message
    /// while a conversation it may answer there is one.
    pub async fn handle_live(
        &self,
        msg: &Incoming,
        me: UserId,
        now: Timestamp,
    ) -> Result<Live, DeskError> {
        let role = role_of(&msg.author, me, &self.staff);
        if role == Role::Staff {
            self.wait_for_openings_at(&msg.place).await;
        }
        if role != Role::Customer {
            return self
                .handle_message(msg, me, now, Arrival::Live)
                .map(Live::Done);
        }
        loop {
            match self.customer_message(msg, now, Arrival::Live, true)? {
                Intake::Done(handled) => return Ok(Live::Done(handled)),
                Intake::Opening(opening) => return Ok(Live::Opening(opening)),
                Intake::Wait(turn) => drop(turn.lock().await),
            }
        }
    }

    /// Stores an [`Opening`] (its acknowledgement may be out already) and lets the
    /// customer's next message in.
    pub fn finish_opening(&self, opening: Opening) -> Result<Handled, DeskError> {
        let _place = self.lock(self.stripe_of(&opening.key));
        let conversation = opening.conversation();
        let committed = self
            .store
            .commit_handed_out(&opening.change, opening.handout);
        {
            let mut openings = self.openings.locked();
            let mine = tokio::sync::OwnedMutexGuard::mutex(&opening.turn);
            if openings
                .get(&opening.key)
                .is_some_and(|m| Arc::ptr_eq(m, mine))
            {
                openings.remove(&opening.key);
            }
        }
        drop(opening.turn);
        Ok(match committed? {
            Committed::Stored { .. } => Handled::Stored {
                conversation,
                deliver: Vec::new(),
            },
            Committed::AlreadyClaimed => Handled::Duplicate,
        })
    }

    /// Hands out the outbox entries of `change`, a new conversation at `key`, and holds the
    /// place until it is committed. Called with the place's lock held.
    pub(super) fn open_first(
        &self,
        key: ConversationKey,
        change: Change,
    ) -> Result<Intake, DeskError> {
        let Some(handout) = self.store.hand_out(&change)? else {
            return Ok(Intake::Done(Handled::Duplicate));
        };
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        let Ok(turn) = lock.clone().try_lock_owned() else {
            unreachable!("a new lock is free");
        };
        self.openings.locked().insert(key, lock);
        Ok(Intake::Opening(Box::new(Opening {
            key,
            change,
            handout,
            turn,
        })))
    }

    /// Waits for the conversations being opened where `place` is when a staff message
    /// arrives: a reply handled before the conversation it answers is stored would find
    /// nothing to answer. In a shared channel every opening there counts, as only the stored
    /// message replied to says whose conversation it is.
    async fn wait_for_openings_at(&self, place: &Place) {
        let here = |key: &ConversationKey| match (*place, *key) {
            (
                Place::Channel {
                    thread: Some(t), ..
                },
                ConversationKey::Thread(k),
            ) => t == k,
            (
                Place::Channel {
                    channel,
                    thread: None,
                    ..
                },
                ConversationKey::ChannelCustomer(c, _),
            ) => channel == c,
            (Place::Forum { post, .. }, ConversationKey::Thread(k)) => post == k,
            _ => false,
        };
        let turns: Vec<_> = self
            .openings
            .locked()
            .iter()
            .filter(|(key, _)| here(key))
            .map(|(_, turn)| turn.clone())
            .collect();
        // An abandoned opening's turn is free, so this returns at once for it.
        for turn in turns {
            drop(turn.lock().await);
        }
    }

    /// The opening in progress at `key`, if any. One whose turn is free was dropped without
    /// being stored (its task was cancelled): forgotten here, and catch-up rebuilds it.
    pub(super) fn opening_at(&self, key: &ConversationKey) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut openings = self.openings.locked();
        let turn = openings.get(key)?;
        if turn.try_lock().is_ok() {
            openings.remove(key);
            return None;
        }
        Some(turn.clone())
    }
}
