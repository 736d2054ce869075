//! Command and button answers that name customers (`/queue`, `/resolve`, `/reopen`,
//! `/snooze`, the notice buttons, `/blocked`) render none of their markup.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::testing::conversation;
use super::{blocked, buttons, queue, reopen, resolve, snooze};
use crate::core::{Conversation, State};
use crate::desk::BlockRecord;
use crate::discord::outbound::Action;
use crate::markdown::render::{assert_adds_no_markup, hostile};
use crate::model::UserId;

fn answers(name: &str) -> Vec<String> {
    let at: Timestamp = "2026-11-24T08:00:00Z".parse().expect("time");
    let now = at + SignedDuration::from_hours(1);
    let c: Conversation = conversation(1, name, at);
    let hours = crate::hours::BusinessHours::always_open(jiff::tz::TimeZone::UTC);
    let mut done = c.clone();
    done.state = State::Resolved;
    let mut with_followup = c.clone();
    with_followup.promise = Some(crate::core::Promise {
        by: UserId(7),
        by_name: "Sam".into(),
        words: "x".into(),
        message: None,
        made_at: now,
        due: now + SignedDuration::from_hours(24),
        reminders_sent: 0,
        next_reminder_at: None,
        note: None,
    });
    let hour = SignedDuration::from_hours(1);
    let block = BlockRecord::new(UserId(42), UserId(7), at, name);
    vec![
        queue::queue_page(&[c.clone(), conversation(2, "bob", at)], 1, now),
        resolve::resolved(State::Waiting, &done),
        reopen::reopened(State::Resolved, &c),
        snooze::snoozed(State::Waiting, &c, hour, "today at 10:00"),
        buttons::button_answer(Action::SnoozeHour, UserId(1), &c, &hours, now),
        buttons::button_answer(Action::MarkAnswered, UserId(1), &done, &hours, now),
        buttons::button_answer(Action::RemindMe, UserId(1), &with_followup, &hours, now),
        blocked::list(&[block], now),
    ]
}

#[test]
fn a_customers_name_shows_as_typed_in_the_queue() {
    let text = &answers("**Boss** [refund](https://evil.example)")[0];
    assert!(
        text.contains("\n1. **\\*\\*Boss\\*\\* \\[refund](https://evil.example)** · orders"),
        "{text}"
    );
}

proptest! {
    #[test]
    fn answers_render_none_of_the_customers_markup(name in hostile()) {
        prop_assume!(!name.is_empty());
        for (bad, good) in answers(&name).iter().zip(answers("Ana")) {
            assert_adds_no_markup(bad, &good);
        }
    }
}
