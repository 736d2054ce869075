//! Promises: a staff reply that promises a later answer ("let me check with the supplier and
//! I'll get back to you") keeps the conversation open on it. The one who promised is reminded
//! when it falls due, then on the reminder schedule, until someone on staff posts in the
//! conversation again or it is resolved; once it is long overdue the owners and backup
//! people are told too. What counts as a promise is the owner's rules (`responses/promises.toml`).

use jiff::{SignedDuration, Timestamp};

use super::conversation::{Conversation, Promise, PROMISE_WORDS};
use super::effects::{Effect, PromiseReminder};
use super::policy::Policy;
use super::reminders::quiet_end;
use crate::hours::When;
use crate::model::{Incoming, UserId};
use crate::responses::promises::PromiseRules;
use crate::responses::template::truncate_chars;

/// How long past due a promise is before the owners hear of it, unless `[reminders]
/// escalate_after` says.
pub const OWNERS_AFTER: SignedDuration = SignedDuration::from_hours(24);

/// A staff member posted in the conversation: whatever promise was open is over (kept, or
/// taken up by someone else), and the post may make a new one.
pub(super) fn staff_posted(
    conv: &mut Conversation,
    msg: &Incoming,
    policy: &Policy,
    rules: &PromiseRules,
) {
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
    if !policy.promises.enabled {
        return;
    }
    let Some(text) = msg.content.as_deref() else {
        return;
    };
    let Some(found) = rules.find(text) else {
        return;
    };
    let due = policy
        .hours
        .promise_due(msg.at, found.when, policy.promises.remind_after);
    conv.promises_made += 1;
    conv.promise = Some(Promise {
        by: msg.author.id,
        by_name: msg.author.name.clone(),
        words: truncate_chars(text.trim().to_string(), PROMISE_WORDS),
        message: Some(msg.id),
        made_at: msg.at,
        due,
        reminders_sent: 0,
        next_reminder_at: Some(due),
        note: None,
    });
}

/// What a reminder quotes for a follow-up set without a note.
pub const FOLLOW_UP_WORDS: &str = "(a follow-up you set, without a note)";

/// A follow-up set by `by` (`/followup`, "Remind me"): it replaces any open promise, as a
/// newer promise in a reply does, but keeps nothing (nobody posted).
pub(super) fn follow_up(
    conv: &mut Conversation,
    by: UserId,
    name: String,
    due: Option<Timestamp>,
    note: Option<String>,
    policy: &Policy,
    now: Timestamp,
) {
    let due = due.unwrap_or_else(|| {
        policy
            .hours
            .promise_due(now, When::Later, policy.promises.remind_after)
    });
    let note = note
        .map(|n| truncate_chars(n.trim().to_string(), PROMISE_WORDS))
        .filter(|n| !n.is_empty());
    conv.promises_made += 1;
    conv.promise = Some(Promise {
        by,
        by_name: name,
        words: note.clone().unwrap_or_else(|| FOLLOW_UP_WORDS.to_string()),
        message: None,
        made_at: now,
        due,
        reminders_sent: 0,
        next_reminder_at: Some(due),
        note,
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
pub(super) fn remind(
    conv: &mut Conversation,
    effects: &mut Vec<Effect>,
    policy: &Policy,
    now: Timestamp,
) -> bool {
    let id = conv.id;
    let number = conv.promises_made;
    let Some(p) = conv.promise.as_mut() else {
        return false;
    };
    if p.next_reminder_at.is_none_or(|at| at > now) {
        return false;
    }
    if let Some(end) = quiet_end(policy.quiet_hours, policy.hours.time_zone(), now) {
        p.next_reminder_at = Some(end);
        return true;
    }
    effects.push(Effect::RemindPromise(PromiseReminder {
        conversation: id,
        number,
        step: p.reminders_sent,
        escalated: overdue_for_owners(p.due, policy, now),
    }));
    // The first reminder is at `due`; reminder n + 1 at `due` plus the schedule's step n.
    let (step, at) = policy.reminders.next_step(p.due, p.reminders_sent, now);
    p.reminders_sent = step + 1;
    p.next_reminder_at = at;
    true
}

/// Whether a promise due at `due` is overdue long enough for the owners and backup people:
/// `[escalation] after` when set, else [`OWNERS_AFTER`].
fn overdue_for_owners(due: Timestamp, policy: &Policy, now: Timestamp) -> bool {
    let after = policy.escalation.as_ref().map_or(OWNERS_AFTER, |e| e.after);
    now.duration_since(due) >= after
}
