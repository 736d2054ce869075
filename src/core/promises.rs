//! Promises: a staff reply that promises a later answer ("let me check with the supplier and
//! I'll get back to you") keeps the conversation open on it. The one who promised is reminded
//! when it falls due, then on the reminder schedule, until someone on staff posts in the
//! conversation again or it is resolved; once it is long overdue the owners and backup
//! people are told too. What counts as a promise is the owner's rules (`responses/promises.toml`).

use jiff::{SignedDuration, Timestamp};

use super::conversation::{Conversation, Promise, PROMISE_WORDS};
use super::effects::{Effect, PromiseReminder};
use super::step::{next_step, quiet_end, Context};
use crate::model::Incoming;
use crate::responses::template::truncate_chars;

/// How long past due a promise is before the owners hear of it, when no `[escalation]` says.
pub const OWNERS_AFTER: SignedDuration = SignedDuration::from_hours(24);

/// A staff member posted in the conversation: whatever promise was open is over (kept, or
/// taken up by someone else), and the post may make a new one.
pub(super) fn staff_posted(conv: &mut Conversation, msg: &Incoming, cx: &Context<'_>) {
    // Discord hands events over in no particular order: a staff message older than the
    // latest one seen neither ends a promise nor makes one.
    if conv
        .last_staff_message
        .is_some_and(|latest| msg.id < latest)
    {
        return;
    }
    if let Some(kept) = conv.promise.take() {
        conv.promises_kept.count(&kept, msg.at);
    }
    if !cx.policy.promises.enabled {
        return;
    }
    let Some(text) = msg.content.as_deref() else {
        return;
    };
    let Some(found) = cx.promises.find(text) else {
        return;
    };
    let due = cx
        .policy
        .hours
        .promise_due(msg.at, found.when, cx.policy.promises.remind_after);
    conv.promises_made += 1;
    conv.promise = Some(Promise {
        by: msg.author.id,
        by_name: msg.author.name.clone(),
        words: truncate_chars(text.trim().to_string(), PROMISE_WORDS),
        message: msg.id,
        made_at: msg.at,
        due,
        reminders_sent: 0,
        next_reminder_at: Some(due),
        note: None,
    });
}

/// The conversation was resolved: an open promise counts as kept (the matter is closed).
pub(super) fn resolved(conv: &mut Conversation, at: Timestamp) {
    if let Some(kept) = conv.promise.take() {
        conv.promises_kept.count(&kept, at);
    }
}

/// The promise's reminder, when one is due; whether the conversation changed. Quiet hours
/// hold it until they end, as they hold the owners' reminders.
pub(super) fn remind(conv: &mut Conversation, effects: &mut Vec<Effect>, cx: &Context<'_>) -> bool {
    let id = conv.id;
    let number = conv.promises_made;
    let Some(p) = conv.promise.as_mut() else {
        return false;
    };
    if p.next_reminder_at.is_none_or(|at| at > cx.now) {
        return false;
    }
    if let Some(end) = quiet_end(cx) {
        p.next_reminder_at = Some(end);
        return true;
    }
    effects.push(Effect::RemindPromise(PromiseReminder {
        conversation: id,
        number,
        step: p.reminders_sent,
        escalated: overdue_for_owners(p.due, cx),
    }));
    // The first reminder is at `due`; reminder n + 1 at `due` plus the schedule's step n.
    let (step, at) = next_step(&cx.policy.reminders, p.due, p.reminders_sent, cx.now);
    p.reminders_sent = step + 1;
    p.next_reminder_at = at;
    true
}

/// Whether a promise due at `due` is overdue long enough for the owners and backup people:
/// `[escalation] after` when set, else [`OWNERS_AFTER`].
fn overdue_for_owners(due: Timestamp, cx: &Context<'_>) -> bool {
    let after = cx
        .policy
        .escalation
        .as_ref()
        .map_or(OWNERS_AFTER, |e| e.after);
    cx.now.duration_since(due) >= after
}
