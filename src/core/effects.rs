//! What the core asks the edges to do: the [`Effect`]s of a step (an acknowledgement, an
//! owner [`Notice`], a closing text, a DM relay, a rating request, a promise's reminder, the
//! customer told who took their conversation), as
//! data.

use super::conversation::ConversationId;
use super::policy::RatingForm;
use crate::model::{ChannelId, MessageId, UserId};

/// The acknowledgement of a new (or reopened) conversation.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Ack {
    pub conversation: ConversationId,
    /// Where the customer wrote.
    pub channel: ChannelId,
    /// The customer's message, which the acknowledgement replies to.
    pub reply_to: MessageId,
    /// The one user the acknowledgement may ping.
    pub customer: UserId,
    pub text: String,
    pub rule: String,
    /// Open a thread with this name on the customer's message and answer inside it.
    pub open_thread: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "step", rename_all = "snake_case")]
pub enum NoticeKind {
    Opened,
    Reopened,
    /// The customer wrote again after an answer, with more than a thank-you.
    FollowUp,
    /// Reminder number `n` (0-based) of the current wait.
    Reminder(u32),
}

/// A notification for the owners, stored in the outbox before it is sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Notice {
    pub conversation: ConversationId,
    pub kind: NoticeKind,
    /// Counts the waits of this conversation, so a reminder step of a later wait is a new
    /// notice and not a duplicate of the first wait's.
    pub wait: u32,
}

/// The request for a rating, posted in the conversation's own place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatingRequest {
    pub conversation: ConversationId,
    pub channel: ChannelId,
    /// In a shared channel the request replies to the customer's opening message, so it is
    /// clear whom it asks; in a thread, forum post or DM it is simply posted there.
    pub reply_to: Option<MessageId>,
    /// The one user the request may ping.
    pub customer: UserId,
    pub text: String,
    pub form: RatingForm,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Effect {
    Acknowledge(Ack),
    Notify(Notice),
    /// A short closing message in the conversation (auto-resolve).
    Close {
        conversation: ConversationId,
        channel: ChannelId,
        text: String,
    },
    /// Copy a customer's DM into the conversation's private staff thread (opening it first
    /// if it does not exist yet).
    RelayIn {
        conversation: ConversationId,
        source: MessageId,
        text: String,
        thread_name: String,
    },
    /// Send a staff reply from the staff thread to the customer's DM, signed.
    RelayOut {
        conversation: ConversationId,
        source: MessageId,
        channel: ChannelId,
        text: String,
    },
    /// Ask the customer how it went (see `ratings`).
    AskRating(RatingRequest),
    /// Remind a staff member of their promise (see `promises`).
    RemindPromise(PromiseReminder),
    /// Tell the customer who took their conversation (see `claims`).
    TellClaimed(ClaimTold),
    /// Send a staff member's reply written outside Discord (see `replies`).
    Reply(SentReply),
    /// Show the staff's earlier notices about the conversation who has it now (or nobody):
    /// their rows are edited, no more DMs are sent. `change` tells the changes of holder
    /// apart, one edit each.
    ShowHolder {
        conversation: ConversationId,
        change: u64,
    },
}

/// A staff reply frontdesk sends for someone on staff, signed with their name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReply {
    pub conversation: ConversationId,
    /// Its id in the transcript: one message per reply, once.
    pub source: MessageId,
    /// Where the customer reads: the conversation's thread, forum post, channel or DM.
    pub channel: ChannelId,
    /// The customer's message it answers, in a server channel.
    pub reply_to: Option<MessageId>,
    /// The one user it may ping: the customer, outside a DM.
    pub ping: Option<UserId>,
    pub text: String,
}

/// The message telling a customer who has their conversation now, posted in its own place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimTold {
    pub conversation: ConversationId,
    pub channel: ChannelId,
    /// In a shared channel it replies to the customer's opening message, as a rating request
    /// does; in a thread, forum post or DM it is simply posted there.
    pub reply_to: Option<MessageId>,
    /// The one user it may ping.
    pub customer: UserId,
    pub text: String,
    /// Which change of holder (`claims_made` after it): one message per change, once.
    pub number: u32,
}

/// A reminder of a staff member's open promise. Its words, who made it and where are read
/// from the conversation when it is sent: a promise kept meanwhile is not reminded of.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PromiseReminder {
    pub conversation: ConversationId,
    /// Which of the conversation's promises (`promises_made` when it was made).
    pub number: u32,
    /// Reminder number `step` (0-based) of that promise.
    pub step: u32,
    /// Long overdue: the owners and backup people are told too.
    pub escalated: bool,
}
