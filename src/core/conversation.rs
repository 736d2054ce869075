//! A conversation as the core sees it: who, where, which state, and the clock readings that
//! drive reminders and statistics.

use jiff::Timestamp;

use crate::model::{ChannelId, MessageId, Place, UserId};

/// A conversation is named after the message that opened it.
pub type ConversationId = MessageId;

#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The customer waits for a personal reply; reminders run.
    Waiting,
    /// A staff member replied; the ball is with the customer.
    Answered,
    /// Closed by a command or after inactivity; a new customer question reopens it.
    Resolved,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::Answered => "answered",
            State::Resolved => "resolved",
        }
    }
}

/// Where further messages of a conversation arrive: how the store finds the conversation a
/// new message belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ConversationKey {
    /// A customer's messages in a watched text channel (outside threads).
    ChannelCustomer(ChannelId, UserId),
    /// A forum post, or a thread (one frontdesk opened, or a customer's own).
    Thread(ChannelId),
    /// A customer's DMs with the bot.
    Dm(UserId),
}

impl ConversationKey {
    pub fn of(place: &Place, customer: UserId) -> ConversationKey {
        match *place {
            Place::Channel {
                thread: Some(t), ..
            } => ConversationKey::Thread(t),
            Place::Channel { channel, .. } => ConversationKey::ChannelCustomer(channel, customer),
            Place::Forum { post, .. } => ConversationKey::Thread(post),
            Place::Dm { .. } => ConversationKey::Dm(customer),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Conversation {
    pub id: ConversationId,
    pub customer: UserId,
    pub customer_name: String,
    pub place: Place,
    pub state: State,
    /// What it is about, from the rules; shown to the owner and counted in `/stats`.
    pub topic: String,
    /// The rule whose text acknowledged it most recently.
    pub rule: String,
    pub opened_at: Timestamp,
    /// When the customer started waiting for the current reply; `None` unless waiting.
    pub waiting_since: Option<Timestamp>,
    pub last_activity: Timestamp,
    /// The first personal reply ever, for `{eta}` and `/stats`.
    pub first_reply_at: Option<Timestamp>,
    pub answered_by: Option<UserId>,
    /// The latest staff message in it: a customer message older than this one was written
    /// before that answer (serenity hands events over in no particular order), so it does not
    /// reopen the wait.
    pub last_staff_message: Option<MessageId>,
    pub resolved_at: Option<Timestamp>,
    /// Reminder steps already due in the current wait (0 = none yet).
    pub reminders_sent: u32,
    pub next_reminder_at: Option<Timestamp>,
    pub snoozed_until: Option<Timestamp>,
    /// The thread frontdesk opened for it, when threads are on.
    pub thread: Option<ChannelId>,
    /// For a DM conversation: the private staff thread that mirrors it (see the DM relay).
    pub relay: Option<ChannelId>,
    pub customer_messages: u32,
    pub times_reopened: u32,
    /// How many times the customer started waiting; numbers the notices of each wait.
    pub waits: u32,
    /// The message that opened it, kept with the conversation. `None` when it is not known
    /// here: conversations stored by older versions keep it in the message log only.
    pub opening: Option<Opening>,
    /// The customer's rating, once asked for (see `ratings`).
    pub rating: Option<Rating>,
    /// Handled while its customer was blocked: stored as evidence, never answered.
    pub blocked: bool,
    /// When reminders about it went out, oldest first (the last [`REMINDER_LOG`]): the
    /// transcript's reminder lines.
    pub reminded_at: Vec<Timestamp>,
    /// A staff member's open promise of a later answer (see [`Promise`]).
    pub promise: Option<Promise>,
    /// How many promises were made in it; numbers each promise's reminders, so a second
    /// promise's first reminder is not mistaken for the first one's.
    pub promises_made: u32,
    /// Promises kept: someone on staff posted (or resolved it) by the time it fell due, or
    /// after. For `/stats` and the weekly digest.
    pub promises_kept: Kept,
    /// Who on staff has it (`/claim`, `/assign`, "I'll take it"); kept when it is resolved or
    /// reopened, as its history.
    pub assignee: Option<Assignee>,
    /// How many times its holder changed; numbers the message telling the customer of each.
    pub claims_made: u32,
    /// How many internal notes the staff left on it (see `notes`).
    pub notes: u32,
}

/// The staff member who has a conversation: the customer is told their name, and waiting
/// reminders go to them first (see `claims`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Assignee {
    pub user: UserId,
    /// Their display name when they took it, for the customer and the owner's lists.
    pub name: String,
    pub at: Timestamp,
}

/// Promises kept on time and late.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub on_time: u32,
    pub late: u32,
}

impl Kept {
    /// Counts the promise `p` as kept at `at`.
    pub fn count(&mut self, p: &Promise, at: Timestamp) {
        if at <= p.due {
            self.on_time += 1;
        } else {
            self.late += 1;
        }
    }
}

/// A staff member's promise of a later answer ("let me check with the supplier and I'll get
/// back to you"). It keeps the conversation open, and reminds the one who promised, until
/// someone on staff posts in the conversation again or it is resolved.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Promise {
    pub by: UserId,
    /// Their display name when they promised, for the owner's lists.
    pub by_name: String,
    /// Their words, quoted back to them in the reminders (cut to [`PROMISE_WORDS`]).
    pub words: String,
    /// The message that promised; `None` for one set with `/followup` or "Remind me".
    pub message: Option<MessageId>,
    pub made_at: Timestamp,
    /// When the promise falls due: the first reminder.
    pub due: Timestamp,
    /// Reminders already sent about it.
    pub reminders_sent: u32,
    pub next_reminder_at: Option<Timestamp>,
    /// Set by `/followup` rather than read in a reply: the note the staff member left.
    pub note: Option<String>,
}

/// How much of a promising message a reminder quotes.
pub const PROMISE_WORDS: usize = 300;

/// How many reminder times a conversation keeps; a wait of weeks reminds daily, and the
/// transcript needs the recent ones.
pub const REMINDER_LOG: usize = 20;

/// A conversation's rating: asked once, answered (and changed) by its customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rating {
    /// When the request was decided: a conversation is never asked twice.
    pub asked_at: Timestamp,
    /// 1–5; `None` until the customer answers.
    pub score: Option<u8>,
    /// When the customer first answered; changes are taken until `ratings::CHANGE_WINDOW` after it.
    pub answered_at: Option<Timestamp>,
}

/// What the customer wrote to open a conversation (its id, author and time are the
/// conversation's own `id`, `customer` and `opened_at`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Opening {
    /// The customer's display name when they wrote it.
    pub author_name: String,
    /// `None` when Discord withheld the text (no message-content intent).
    pub content: Option<String>,
}

impl Conversation {
    /// A conversation just opened by message `id`, before anything was decided about it: no
    /// topic, no wait started, no reply. The core fills in the rest.
    pub fn new(
        id: ConversationId,
        customer: UserId,
        customer_name: String,
        place: Place,
        at: Timestamp,
    ) -> Conversation {
        Conversation {
            id,
            customer,
            customer_name,
            place,
            state: State::Waiting,
            topic: String::new(),
            rule: String::new(),
            opened_at: at,
            waiting_since: None,
            last_activity: at,
            first_reply_at: None,
            answered_by: None,
            last_staff_message: None,
            resolved_at: None,
            reminders_sent: 0,
            next_reminder_at: None,
            snoozed_until: None,
            thread: None,
            relay: None,
            customer_messages: 1,
            times_reopened: 0,
            waits: 0,
            opening: None,
            rating: None,
            blocked: false,
            reminded_at: Vec::new(),
            promise: None,
            promises_made: 0,
            promises_kept: Kept::default(),
            assignee: None,
            claims_made: 0,
            notes: 0,
        }
    }

    /// Where frontdesk writes to the customer: the conversation's thread if it has one.
    pub fn channel(&self) -> ChannelId {
        self.thread.unwrap_or_else(|| self.place.channel())
    }

    pub fn key(&self) -> ConversationKey {
        ConversationKey::of(&self.place, self.customer)
    }

    pub fn is_open(&self) -> bool {
        self.state != State::Resolved
    }
}
