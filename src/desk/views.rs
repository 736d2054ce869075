//! What the desk shows of a conversation to the edges that read the owner's records (the
//! dashboard, `export`): a transcript's entries and an export's rows. The store's own
//! records, with their layout versions, stay behind the desk.

use serde::Serialize;

use crate::core::Conversation;
use crate::model::{MessageId, Place, Speaker, UserId};
use crate::store::MessageRecord;

/// One message of a conversation, as the dashboard shows it and `export` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TranscriptEntry {
    pub id: MessageId,
    pub author: UserId,
    /// The author's display name when they wrote it.
    pub author_name: String,
    pub speaker: Speaker,
    /// `None` when Discord withheld the text (no message-content intent).
    pub content: Option<String>,
    pub at: jiff::Timestamp,
}

impl From<MessageRecord> for TranscriptEntry {
    fn from(m: MessageRecord) -> TranscriptEntry {
        TranscriptEntry {
            id: m.id,
            author: m.author,
            author_name: m.author_name,
            speaker: m.speaker,
            content: m.content,
            at: m.at,
        }
    }
}

/// One conversation as `export` writes it: a JSON line (with its transcript) or a CSV row
/// (without). Times are RFC 3339 text, ids decimal strings, as a spreadsheet keeps them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    pub id: String,
    pub customer: String,
    pub customer_name: String,
    pub place: Place,
    pub link: String,
    pub state: &'static str,
    pub topic: String,
    pub opened_at: String,
    pub first_reply_at: Option<String>,
    pub first_reply_minutes: Option<i64>,
    pub resolved_at: Option<String>,
    pub customer_messages: u32,
    pub times_reopened: u32,
    /// The customer's "How did we do?" answer, 1–5.
    pub rating: Option<u8>,
    pub rating_asked_at: Option<String>,
    pub rated_at: Option<String>,
    /// Handled while the customer was blocked.
    pub blocked: bool,
    /// How many internal notes the staff left on it; in JSON lines each is in `messages`
    /// with `"speaker": "note"`.
    pub notes: u32,
    /// Empty in a row read without its transcript (CSV has no room for one).
    pub messages: Vec<TranscriptEntry>,
}

impl ExportRow {
    pub fn of(conv: &Conversation, messages: Vec<TranscriptEntry>) -> ExportRow {
        ExportRow {
            id: conv.id.to_string(),
            customer: conv.customer.to_string(),
            customer_name: conv.customer_name.clone(),
            place: conv.place,
            link: conv.place.jump_link(conv.id),
            state: conv.state.as_str(),
            topic: conv.topic.clone(),
            opened_at: conv.opened_at.to_string(),
            first_reply_at: conv.first_reply_at.map(|t| t.to_string()),
            first_reply_minutes: conv
                .first_reply_at
                .map(|t| t.duration_since(conv.opened_at).as_secs() / 60),
            resolved_at: conv.resolved_at.map(|t| t.to_string()),
            customer_messages: conv.customer_messages,
            times_reopened: conv.times_reopened,
            rating: conv.rating.and_then(|r| r.score),
            rating_asked_at: conv.rating.map(|r| r.asked_at.to_string()),
            rated_at: conv
                .rating
                .and_then(|r| r.answered_at)
                .map(|t| t.to_string()),
            blocked: conv.blocked,
            notes: conv.notes,
            messages,
        }
    }
}
