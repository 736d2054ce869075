//! The conversation logic: for each event, what must happen. Pure: no network, no database,
//! no clock — the caller passes the conversation, the event and the current time, and gets
//! back the conversation's new state and the effects to carry out.
//!
//! Invariants kept here: a conversation is acknowledged once when it opens or reopens, never
//! for follow-up messages; bots, frontdesk itself and staff never open one; only a human staff
//! reply (or a staff command) stops reminders.

mod claims;
mod conversation;
mod courtesy;
pub mod digest;
mod effects;
mod escalation;
pub mod eta;
pub mod notes;
pub mod permissions;
mod policy;
mod promises;
mod ratings;
mod reminders;
pub mod replies;
mod roles;
mod step;
#[cfg(test)]
mod text_tests;
#[cfg(test)]
mod trust_tests;

pub use claims::{notice_recipients, OWNERS_AFTER};
pub use conversation::{
    Assignee, Conversation, ConversationId, ConversationKey, Kept, Opening, Promise, Rating, State,
    PROMISE_WORDS,
};
pub use courtesy::is_courtesy;
pub use effects::{
    Ack, ClaimTold, Effect, Notice, NoticeKind, PromiseReminder, RatingRequest, SentReply,
};
pub use escalation::escalates;
pub use notes::{Note, NOTE_LIMIT};
pub use policy::{Away, ClaimPolicy, Escalation, Policy, PromisePolicy, RatingForm, RatingPolicy};
pub use ratings::{rate, should_ask, Rated, RatingRefused, CHANGE_WINDOW};
pub use reminders::ReminderSchedule;
pub use replies::Reply;
pub use roles::{role_of, Role, Staff};
pub use step::{step, wake_at, Command, Context, Input, Step, REOPEN_WINDOW};
