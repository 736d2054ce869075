//! Claims: a named person on each conversation. The first staff member to claim it has it
//! (`/claim`, "I'll take it"), `/assign` sets or moves it, `/unclaim` lets it go. Each change
//! of holder tells the customer who is looking after them, once; and the waiting reminders of
//! a claimed conversation go to its holder alone until the wait has lasted the escalation
//! time, then to the owners too ([`notice_recipients`]).

use jiff::{SignedDuration, Timestamp};

use super::conversation::{Assignee, Conversation, State};
use super::effects::{ClaimTold, Effect, NoticeKind};
use super::policy::Policy;
use crate::markdown::literal;
use crate::model::{Place, UserId};
use crate::responses::{Rules, Values};

/// What a claim reads besides the conversation: `step`'s context, without importing it (the
/// vocabulary sits below `step`).
pub(super) struct Setting<'a> {
    pub now: Timestamp,
    pub policy: &'a Policy,
    pub rules: &'a Rules,
    /// `{eta}` in words.
    pub eta: &'a str,
}

/// How long a claimed conversation's customer waits before the owners are reminded too, when
/// no `[reminders] escalate_after` says: the holder may be away, and the customer must not be.
pub const OWNERS_AFTER: SignedDuration = SignedDuration::from_hours(4);

/// `to` takes the conversation: the conversation after it, the message telling the customer
/// and the edit of the staff's notices ([`Effect::ShowHolder`]), or `None` when nothing
/// changes. With `only_if_free` (a claim) a conversation
/// someone else has is left alone: the first claim wins, and the caller reads who has it from
/// the conversation. Taking what one already has changes nothing.
pub(super) fn take(
    conv: &Conversation,
    to: UserId,
    name: &str,
    only_if_free: bool,
    cx: &Setting<'_>,
) -> Option<(Conversation, Vec<Effect>)> {
    match &conv.assignee {
        Some(a) if a.user == to => return None,
        Some(_) if only_if_free => return None,
        _ => {}
    }
    let mut next = conv.clone();
    next.assignee = Some(Assignee {
        user: to,
        name: name.to_string(),
        at: cx.now,
    });
    next.claims_made += 1;
    let mut effects: Vec<Effect> = tell_customer(&next, cx).into_iter().collect();
    effects.extend(show_holder(&next, u64::from(next.claims_made)));
    Some((next, effects))
}

/// Nobody has the conversation any more (reminders go to every owner again, and the staff's
/// notices offer "I'll take it" again); `None` when nobody had it.
pub(super) fn release(conv: &Conversation) -> Option<(Conversation, Option<Effect>)> {
    conv.assignee.as_ref()?;
    let mut next = conv.clone();
    next.assignee = None;
    // Apart from the claims' numbers: one edit per change of holder.
    let shown = show_holder(&next, u64::from(next.claims_made) | RELEASED);
    Some((next, shown))
}

/// Marks a release's [`Effect::ShowHolder`] apart from the claim before it.
const RELEASED: u64 = 1 << 32;

/// The edit of the staff's notices after a change of holder: not for a closed conversation,
/// whose notices are no longer kept (nobody takes it).
fn show_holder(conv: &Conversation, change: u64) -> Option<Effect> {
    (conv.state != State::Resolved).then_some(Effect::ShowHolder {
        conversation: conv.id,
        change,
    })
}

/// The message telling the customer who has their conversation now: not when the owner
/// turned it off, not for a closed conversation (nobody is waiting to hear) or a blocked
/// customer.
fn tell_customer(conv: &Conversation, cx: &Setting<'_>) -> Option<Effect> {
    let policy = cx.policy;
    if !policy.claims.tell_customer || conv.state == State::Resolved || conv.blocked {
        return None;
    }
    let holder = conv.assignee.as_ref()?;
    let template = cx
        .rules
        .claimed(conv.customer.0, u64::from(conv.claims_made))?;
    let mention = format!("<@{}>", conv.customer);
    let customer_name = literal(&conv.customer_name);
    let staff = literal(&holder.name);
    let opens = policy.hours.describe_next_open(cx.now);
    let values = Values {
        customer_mention: &mention,
        customer_name: &customer_name,
        owner: &policy.owner_name,
        business: &policy.business_name,
        topic: &conv.topic,
        eta: cx.eta,
        opens: &opens,
        back: "soon",
        away_note: "",
        staff: &staff,
    };
    let reply_to = match conv.place {
        Place::Channel { thread: None, .. } if conv.thread.is_none() => Some(conv.id),
        _ => None,
    };
    Some(Effect::TellClaimed(ClaimTold {
        conversation: conv.id,
        channel: conv.channel(),
        reply_to,
        customer: conv.customer,
        text: template.render(&values).trim_end().to_string(),
        number: conv.claims_made,
    }))
}

/// Who gets an owner notice of `kind` about `conv`, created at `at`: every owner, except a
/// waiting reminder of a claimed conversation, which goes to its holder alone until the wait
/// has lasted `[reminders] escalate_after` (else [`OWNERS_AFTER`]), then to the holder and
/// the owners. New customers, follow-ups and reopenings always reach everyone. The backup
/// people are `escalation`'s, as for any reminder. Empty only when `owners` is.
pub fn notice_recipients(
    conv: &Conversation,
    kind: NoticeKind,
    at: Timestamp,
    owners: &[UserId],
    policy: &Policy,
) -> Vec<UserId> {
    let holder = match (&conv.assignee, kind) {
        (Some(a), NoticeKind::Reminder(_)) => a.user,
        _ => return owners.to_vec(),
    };
    let after = policy.escalation.as_ref().map_or(OWNERS_AFTER, |e| e.after);
    let long = conv
        .waiting_since
        .is_some_and(|since| at.duration_since(since) >= after);
    let mut to = vec![holder];
    if long {
        to.extend(owners.iter().copied().filter(|o| *o != holder));
    }
    to
}
