//! Internal notes: what the staff write about a conversation for each other. A note is kept
//! in the transcript with its author and time, never sent to the customer and never taken
//! for a reply: the waiting clock, the reminders and a promise run on as if it were not
//! there. A DM conversation's note is also posted in its private staff thread, where the team
//! follows that conversation.

use super::conversation::Conversation;
use super::effects::Effect;
use super::policy::Policy;
use super::step::{thread_name, Step};
use crate::model::{MessageId, Place, UserId};

/// A note, as a staff member wrote it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Note {
    /// Its id in the transcript: the `/note` interaction's, or one made for a web page's.
    pub id: MessageId,
    pub by: UserId,
    /// Their display name when they wrote it.
    pub name: String,
    pub text: String,
}

/// Discord's message limit: a note longer than this is refused with its length, never cut
/// (it is shown in a staff thread, and a transcript should hold what was written).
pub const NOTE_LIMIT: usize = 2000;

/// Why `text` (a note or reply, named by `what`) cannot be kept as it is: empty, or over
/// Discord's 2,000 characters, with its count; `None` when it can.
pub fn refused(what: &str, text: &str) -> Option<String> {
    let n = text.chars().count();
    if text.trim().is_empty() {
        return Some(format!("The {what} is empty: write something first."));
    }
    (n > NOTE_LIMIT).then(|| {
        format!(
            "The {what} is {n} characters; Discord allows {NOTE_LIMIT}. Shorten it by {} and send it again (nothing was saved).",
            n - NOTE_LIMIT
        )
    })
}

/// A fresh id for a note written outside Discord (the web page): a snowflake of `now`, its
/// low bits from a counter, so two notes in one millisecond differ. Discord's ids carry a
/// worker and sequence there too, so it sorts with the transcript's messages by time.
pub fn new_id(now: jiff::Timestamp) -> MessageId {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & 0x3F_FFFF;
    MessageId(MessageId::first_at(now).0 | n)
}

/// Adds `note` to `conv`: counted, logged, shown in a DM's staff thread when relaying is on.
pub(super) fn add(conv: &Conversation, note: &Note, policy: &Policy) -> Step {
    let mut next = conv.clone();
    next.notes += 1;
    let mut effects = Vec::new();
    if matches!(conv.place, Place::Dm { .. }) && policy.relay_dms {
        effects.push(Effect::RelayIn {
            conversation: conv.id,
            source: note.id,
            text: shown(note),
            thread_name: thread_name(&format!("DM · {}", conv.customer_name), &conv.topic),
        });
    }
    Step {
        conversation: Some(next),
        effects,
        log_message: true,
    }
}

/// A note as the staff thread shows it: marked as a note, so nobody takes it for a message
/// the customer saw.
pub fn shown(note: &Note) -> String {
    format!(
        "📝 **Note** from **{}** (staff only, not sent to the customer):\n{}",
        crate::markdown::literal(&note.name),
        note.text
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChannelId;

    fn note() -> Note {
        Note {
            id: MessageId(900),
            by: UserId(7),
            name: "Ana".into(),
            text: "Called her, parcel is at the depot.".into(),
        }
    }

    fn conversation(place: Place) -> Conversation {
        let at = "2026-11-24T10:00:00Z".parse().expect("time");
        Conversation::new(MessageId(1), UserId(42), "bob".into(), place, at)
    }

    #[test]
    fn a_note_over_discords_limit_is_refused_with_its_length() {
        assert_eq!(refused("note", "fine"), None);
        assert_eq!(
            refused("note", &"é".repeat(2000)),
            None,
            "counted in characters"
        );
        let long = refused("note", &"x".repeat(2345)).expect("refused");
        assert!(long.contains("2345 characters"), "{long}");
        assert!(long.contains("Shorten it by 345"), "{long}");
        assert!(refused("reply", " \n")
            .expect("empty")
            .contains("reply is empty"));
    }

    #[test]
    fn ids_made_in_one_millisecond_differ() {
        let now = "2026-11-24T10:00:00Z".parse().expect("time");
        assert_ne!(new_id(now), new_id(now));
        assert_eq!(new_id(now).0 >> 22, MessageId::first_at(now).0 >> 22);
    }

    #[test]
    fn a_note_changes_nothing_but_its_count_and_a_dm_shows_it_in_the_staff_thread() {
        let policy = Policy {
            business_name: "Maple & Thread".into(),
            owner_name: "Sam".into(),
            hours: crate::hours::BusinessHours::always_open(jiff::tz::TimeZone::UTC),
            reminders: Default::default(),
            auto_resolve_after: None,
            threads: false,
            closing_text: "Closing.".into(),
            quiet_hours: None,
            relay_dms: true,
            ratings: Default::default(),
            escalation: None,
            promises: Default::default(),
            claims: Default::default(),
        };
        let dm = conversation(Place::Dm {
            channel: ChannelId(5),
        });
        let out = add(&dm, &note(), &policy);
        let after = out.conversation.expect("stored");
        let mut expected = dm.clone();
        expected.notes = 1;
        assert_eq!(after, expected, "the clock and state run on");
        assert!(out.log_message);
        let [Effect::RelayIn { source, text, .. }] = out.effects.as_slice() else {
            panic!("one staff-thread post: {:?}", out.effects);
        };
        assert_eq!(*source, MessageId(900));
        assert!(text.starts_with("📝 **Note** from **Ana**"), "{text}");

        let channel = conversation(Place::Channel {
            guild: crate::model::GuildId(1),
            channel: ChannelId(10),
            thread: None,
        });
        assert!(add(&channel, &note(), &policy).effects.is_empty());
    }
}
