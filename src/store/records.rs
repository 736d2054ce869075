//! What is written to disk: versioned serde records, separate from the core's types so the
//! core can change without breaking old databases. New fields get `#[serde(default)]`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::core::{
    Ack, Assignee, ClaimTold, Conversation, Kept, NoticeKind, Opening, Promise, Rating, RatingForm,
    RatingRequest, State,
};
use crate::model::{ChannelId, MessageId, Place, Speaker, UserId};

/// The record format written by this version.
pub const RECORD_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRecord {
    pub v: u32,
    pub id: MessageId,
    pub customer: UserId,
    pub customer_name: String,
    pub place: Place,
    pub state: State,
    pub topic: String,
    pub rule: String,
    pub opened_at: Timestamp,
    pub waiting_since: Option<Timestamp>,
    pub last_activity: Timestamp,
    pub first_reply_at: Option<Timestamp>,
    pub answered_by: Option<UserId>,
    #[serde(default)]
    pub last_staff_message: Option<MessageId>,
    pub resolved_at: Option<Timestamp>,
    pub reminders_sent: u32,
    pub next_reminder_at: Option<Timestamp>,
    pub snoozed_until: Option<Timestamp>,
    pub thread: Option<ChannelId>,
    #[serde(default)]
    pub relay: Option<ChannelId>,
    pub customer_messages: u32,
    pub times_reopened: u32,
    pub waits: u32,
    /// When the conversation next needs a tick; mirrors its entry in the wake index.
    pub wake_at: Option<Timestamp>,
    /// The message that opened it (layout 4): kept here rather than in `messages`, which
    /// saves a write on the path of every new customer. Absent from older records, whose
    /// opening message is in `messages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<OpeningRecord>,
    /// The customer's rating, once asked for. Absent from older records: never asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<RatingRecord>,
    /// Handled while the customer was blocked. Absent from older records: not blocked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
    /// When reminders went out (the last few). Absent from older records: none known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reminded_at: Vec<Timestamp>,
    /// A staff member's open promise. Absent from older records: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promise: Option<PromiseRecord>,
    /// How many promises were made in it. Absent from older records: none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub promises_made: u32,
    /// Promises kept on time and late. Absent from older records: none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub promises_on_time: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub promises_late: u32,
    /// Who on staff has it. Absent from older records: nobody.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<AssigneeRecord>,
    /// How many times its holder changed. Absent from older records: never.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub claims_made: u32,
    /// How many internal notes it has. Absent from older records: none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub notes: u32,
}

/// [`Assignee`] as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssigneeRecord {
    pub user: UserId,
    pub name: String,
    pub at: Timestamp,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// [`Promise`] as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromiseRecord {
    pub by: UserId,
    pub by_name: String,
    pub words: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageId>,
    pub made_at: Timestamp,
    pub due: Timestamp,
    pub reminders_sent: u32,
    pub next_reminder_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl From<&Promise> for PromiseRecord {
    fn from(p: &Promise) -> Self {
        PromiseRecord {
            by: p.by,
            by_name: p.by_name.clone(),
            words: p.words.clone(),
            message: p.message,
            made_at: p.made_at,
            due: p.due,
            reminders_sent: p.reminders_sent,
            next_reminder_at: p.next_reminder_at,
            note: p.note.clone(),
        }
    }
}

impl From<PromiseRecord> for Promise {
    fn from(p: PromiseRecord) -> Self {
        Promise {
            by: p.by,
            by_name: p.by_name,
            words: p.words,
            message: p.message,
            made_at: p.made_at,
            due: p.due,
            reminders_sent: p.reminders_sent,
            next_reminder_at: p.next_reminder_at,
            note: p.note,
        }
    }
}

/// [`Rating`] as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRecord {
    pub asked_at: Timestamp,
    pub score: Option<u8>,
    pub answered_at: Option<Timestamp>,
}

/// [`RatingForm`] as stored in an outbox entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingFormRecord {
    FiveStars,
    TwoChoices,
}

impl From<RatingForm> for RatingFormRecord {
    fn from(f: RatingForm) -> Self {
        match f {
            RatingForm::FiveStars => RatingFormRecord::FiveStars,
            RatingForm::TwoChoices => RatingFormRecord::TwoChoices,
        }
    }
}

impl From<RatingFormRecord> for RatingForm {
    fn from(f: RatingFormRecord) -> Self {
        match f {
            RatingFormRecord::FiveStars => RatingForm::FiveStars,
            RatingFormRecord::TwoChoices => RatingForm::TwoChoices,
        }
    }
}

/// [`Opening`] as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningRecord {
    pub author_name: String,
    pub content: Option<String>,
}

impl ConversationRecord {
    pub fn new(c: &Conversation, wake_at: Option<Timestamp>) -> Self {
        ConversationRecord {
            v: RECORD_VERSION,
            id: c.id,
            customer: c.customer,
            customer_name: c.customer_name.clone(),
            place: c.place,
            state: c.state,
            topic: c.topic.clone(),
            rule: c.rule.clone(),
            opened_at: c.opened_at,
            waiting_since: c.waiting_since,
            last_activity: c.last_activity,
            first_reply_at: c.first_reply_at,
            answered_by: c.answered_by,
            last_staff_message: c.last_staff_message,
            resolved_at: c.resolved_at,
            reminders_sent: c.reminders_sent,
            next_reminder_at: c.next_reminder_at,
            snoozed_until: c.snoozed_until,
            thread: c.thread,
            relay: c.relay,
            customer_messages: c.customer_messages,
            times_reopened: c.times_reopened,
            waits: c.waits,
            wake_at,
            opening: c.opening.as_ref().map(|o| OpeningRecord {
                author_name: o.author_name.clone(),
                content: o.content.clone(),
            }),
            rating: c.rating.map(|r| RatingRecord {
                asked_at: r.asked_at,
                score: r.score,
                answered_at: r.answered_at,
            }),
            blocked: c.blocked,
            reminded_at: c.reminded_at.clone(),
            promise: c.promise.as_ref().map(PromiseRecord::from),
            promises_made: c.promises_made,
            promises_on_time: c.promises_kept.on_time,
            promises_late: c.promises_kept.late,
            assignee: c.assignee.as_ref().map(|a| AssigneeRecord {
                user: a.user,
                name: a.name.clone(),
                at: a.at,
            }),
            claims_made: c.claims_made,
            notes: c.notes,
        }
    }

    pub fn into_conversation(self) -> Conversation {
        Conversation {
            id: self.id,
            customer: self.customer,
            customer_name: self.customer_name,
            place: self.place,
            state: self.state,
            topic: self.topic,
            rule: self.rule,
            opened_at: self.opened_at,
            waiting_since: self.waiting_since,
            last_activity: self.last_activity,
            first_reply_at: self.first_reply_at,
            answered_by: self.answered_by,
            last_staff_message: self.last_staff_message,
            resolved_at: self.resolved_at,
            reminders_sent: self.reminders_sent,
            next_reminder_at: self.next_reminder_at,
            snoozed_until: self.snoozed_until,
            thread: self.thread,
            relay: self.relay,
            customer_messages: self.customer_messages,
            times_reopened: self.times_reopened,
            waits: self.waits,
            opening: self.opening.map(|o| Opening {
                author_name: o.author_name,
                content: o.content,
            }),
            rating: self.rating.map(|r| Rating {
                asked_at: r.asked_at,
                score: r.score,
                answered_at: r.answered_at,
            }),
            blocked: self.blocked,
            reminded_at: self.reminded_at,
            promise: self.promise.map(Promise::from),
            promises_made: self.promises_made,
            promises_kept: Kept {
                on_time: self.promises_on_time,
                late: self.promises_late,
            },
            assignee: self.assignee.map(|a| Assignee {
                user: a.user,
                name: a.name,
                at: a.at,
            }),
            claims_made: self.claims_made,
            notes: self.notes,
        }
    }
}

/// One message of a conversation, as kept for the owner's records and `export`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRecord {
    pub v: u32,
    pub id: MessageId,
    pub author: UserId,
    pub author_name: String,
    pub speaker: Speaker,
    /// `None` when Discord withheld the text (no message-content intent).
    pub content: Option<String>,
    pub at: Timestamp,
}

impl MessageRecord {
    /// A conversation's opening message as the log holds the others, if the conversation
    /// carries it (layout 4 keeps it in the conversation's record).
    pub fn opening_of(c: &Conversation) -> Option<MessageRecord> {
        c.opening.as_ref().map(|o| MessageRecord {
            v: RECORD_VERSION,
            id: c.id,
            author: c.customer,
            author_name: o.author_name.clone(),
            speaker: Speaker::Customer,
            content: o.content.clone(),
            at: c.opened_at,
        })
    }
}

/// Something that must reach Discord once, stored before it is attempted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboxItem {
    Ack {
        channel: ChannelId,
        reply_to: MessageId,
        customer: UserId,
        text: String,
        rule: String,
        open_thread: Option<String>,
    },
    Notice {
        kind: NoticeKind,
    },
    Close {
        channel: ChannelId,
        text: String,
    },
    /// A customer's DM, to copy into the staff thread.
    RelayIn {
        source: MessageId,
        text: String,
        thread_name: String,
    },
    /// A staff reply, to send to the customer's DM.
    RelayOut {
        source: MessageId,
        channel: ChannelId,
        text: String,
    },
    /// "How did we do?", with its buttons, in the conversation's place.
    AskRating {
        channel: ChannelId,
        reply_to: Option<MessageId>,
        customer: UserId,
        text: String,
        form: RatingFormRecord,
    },
    /// The weekly digest for one owner, about the conversations opened from `since` to
    /// `until` (its figures are read when it is sent). Not about one conversation: its
    /// record's `conversation` is 0.
    Digest {
        owner: UserId,
        since: Timestamp,
        until: Timestamp,
    },
    /// A reminder of promise `number`'s, step `step`, for whoever made it (and the owners and
    /// backup people when `escalated`); its words are read from the conversation when sent.
    PromiseReminder {
        number: u32,
        step: u32,
        escalated: bool,
    },
    /// The customer told who took their conversation (change of holder `number`), in its
    /// own place, pinging only them.
    Claimed {
        channel: ChannelId,
        reply_to: Option<MessageId>,
        customer: UserId,
        text: String,
        number: u32,
    },
    /// A staff reply written outside Discord (`source`: its id in the transcript), sent
    /// signed where the customer reads, pinging only them (`ping`).
    Reply {
        source: MessageId,
        channel: ChannelId,
        reply_to: Option<MessageId>,
        ping: Option<UserId>,
        text: String,
    },
    /// The staff's earlier notices about the conversation edited to show who has it now
    /// (change of holder `change`); who that is is read when it is sent.
    ShowHolder {
        change: u64,
    },
}

impl OutboxItem {
    pub fn ack(a: &Ack) -> OutboxItem {
        OutboxItem::Ack {
            channel: a.channel,
            reply_to: a.reply_to,
            customer: a.customer,
            text: a.text.clone(),
            rule: a.rule.clone(),
            open_thread: a.open_thread.clone(),
        }
    }

    pub fn claim_told(c: &ClaimTold) -> OutboxItem {
        OutboxItem::Claimed {
            channel: c.channel,
            reply_to: c.reply_to,
            customer: c.customer,
            text: c.text.clone(),
            number: c.number,
        }
    }

    pub fn rating_request(r: &RatingRequest) -> OutboxItem {
        OutboxItem::AskRating {
            channel: r.channel,
            reply_to: r.reply_to,
            customer: r.customer,
            text: r.text.clone(),
            form: r.form.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxRecord {
    pub v: u32,
    pub conversation: MessageId,
    pub created_at: Timestamp,
    pub item: OutboxItem,
}

/// A first personal reply, indexed by time for `{eta}` and `/stats`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRecord {
    pub v: u32,
    pub conversation: MessageId,
    pub topic: String,
    pub opened_at: Timestamp,
    pub first_reply_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DM conversation with nothing set beyond what opening it sets, and when it opened.
    fn plain_dm() -> (Conversation, Timestamp) {
        let t: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
        let place = Place::Dm {
            channel: ChannelId(5),
        };
        (
            Conversation::new(MessageId(1), UserId(42), "Ana".into(), place, t),
            t,
        )
    }

    /// The record `c` is written as.
    fn json(c: &Conversation) -> String {
        serde_json::to_string(&ConversationRecord::new(c, None)).expect("json")
    }

    /// A conversation read back from its record.
    fn read(json: &str) -> Conversation {
        serde_json::from_str::<ConversationRecord>(json)
            .expect("read")
            .into_conversation()
    }

    #[test]
    fn a_rating_and_the_blocked_mark_round_trip_and_are_absent_when_unset() {
        let (mut c, t) = plain_dm();
        let plain = json(&c);
        assert!(
            !plain.contains("rating") && !plain.contains("blocked"),
            "{plain}"
        );
        c.rating = Some(Rating {
            asked_at: t,
            score: Some(4),
            answered_at: Some(t),
        });
        c.blocked = true;
        assert_eq!(read(&json(&c)), c);
    }

    #[test]
    fn a_promise_round_trips_and_older_records_read_without_one() {
        let (mut c, t) = plain_dm();
        let plain = json(&c);
        assert!(
            !plain.contains("promise"),
            "written by older versions too: {plain}"
        );
        assert_eq!(read(&plain).promise, None);
        c.promises_made = 2;
        c.promises_kept = Kept {
            on_time: 1,
            late: 0,
        };
        c.promise = Some(Promise {
            by: UserId(7),
            by_name: "Sam".into(),
            words: "Let me check".into(),
            message: Some(MessageId(9)),
            made_at: t,
            due: t,
            reminders_sent: 1,
            next_reminder_at: Some(t),
            note: None,
        });
        assert_eq!(read(&json(&c)), c);
    }

    #[test]
    fn an_assignee_round_trips_and_older_records_read_without_one() {
        let (mut c, t) = plain_dm();
        let plain = json(&c);
        assert!(
            !plain.contains("assignee") && !plain.contains("claims_made"),
            "written by older versions too: {plain}"
        );
        let older = read(&plain);
        assert_eq!((older.assignee, older.claims_made), (None, 0));
        c.claims_made = 2;
        c.assignee = Some(Assignee {
            user: UserId(7),
            name: "Sam".into(),
            at: t,
        });
        assert_eq!(read(&json(&c)), c);
    }
}
