//! Escalation: from some point in a customer's wait, reminders also go to backup people.
//! Counted in wall time from when the customer started waiting, as the reminder steps are.

use jiff::Timestamp;

use super::conversation::Conversation;
use super::effects::NoticeKind;
use super::policy::Escalation;

/// Whether a notice of `kind` about `conv`, created at `at`, also goes to the backup people:
/// only reminders, and only once the current wait has lasted `after`.
pub fn escalates(
    conv: &Conversation,
    kind: NoticeKind,
    at: Timestamp,
    escalation: &Escalation,
) -> bool {
    matches!(kind, NoticeKind::Reminder(_))
        && !escalation.to.is_empty()
        && conv
            .waiting_since
            .is_some_and(|since| at.duration_since(since) >= escalation.after)
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;
    use crate::model::{ChannelId, MessageId, Place, UserId};

    #[test]
    fn reminders_escalate_from_the_configured_wait_on() {
        let start: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
        let mut c = Conversation::new(
            MessageId(1),
            UserId(42),
            "Ana".into(),
            Place::Dm {
                channel: ChannelId(5),
            },
            start,
        );
        c.waiting_since = Some(start);
        let e = Escalation {
            to: vec![UserId(9)],
            after: SignedDuration::from_hours(4),
        };
        let h = |n| start + SignedDuration::from_hours(n);
        assert!(!escalates(&c, NoticeKind::Reminder(1), h(1), &e));
        assert!(escalates(&c, NoticeKind::Reminder(2), h(4), &e));
        assert!(
            !escalates(&c, NoticeKind::Opened, h(5), &e),
            "only reminders"
        );
        let nobody = Escalation {
            to: Vec::new(),
            ..e.clone()
        };
        assert!(!escalates(&c, NoticeKind::Reminder(2), h(5), &nobody));
        c.waiting_since = None;
        assert!(
            !escalates(&c, NoticeKind::Reminder(2), h(5), &e),
            "answered"
        );
    }
}
