//! `step`: one event in, the conversation's next state and the effects out.

use jiff::{SignedDuration, Timestamp};

use super::claims;
use super::conversation::{Conversation, Opening, State, REMINDER_LOG};
use super::courtesy::is_courtesy;
use super::effects::{Ack, Effect, Notice, NoticeKind};
use super::notes::{self, Note};
use super::policy::{Away, Policy};
use super::promises;
use super::ratings::ask_on_resolve;
use super::reminders::{quiet_end, ReminderSchedule};
use super::replies::{self, Reply};
use crate::markdown::literal;
use crate::model::{Incoming, UserId};
use crate::responses::promises::PromiseRules;
use crate::responses::{Moment, Rules, Values};

/// A resolved conversation this recent is reopened by a new question; an older one is left
/// closed and the question starts a new conversation, so history and `/stats` stay truthful.
pub const REOPEN_WINDOW: SignedDuration = SignedDuration::from_hours(72);

/// Everything `step` may read besides the conversation and the event.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub now: Timestamp,
    pub policy: &'a Policy,
    pub rules: &'a Rules,
    /// What in a staff reply promises a later answer.
    pub promises: &'a PromiseRules,
    pub away: Option<&'a Away>,
    /// `{eta}` already in words, computed by the caller from stored history.
    pub eta: &'a str,
    /// The message is being caught up after downtime.
    pub late: bool,
    /// How many conversations this customer had before, for variant rotation.
    pub earlier_conversations: u64,
}

#[derive(Clone, Debug)]
pub enum Input<'a> {
    /// A customer wrote. `conversation` in [`step`] is the latest one for this place and
    /// customer, whatever its state.
    Customer(&'a Incoming),
    /// A staff member wrote in (or replied into) the conversation.
    Staff(&'a Incoming),
    /// A blocked customer wrote: kept as evidence, answered by nobody.
    Blocked(&'a Incoming),
    /// Time passed: reminders and auto-resolve fall due.
    Tick,
    Command(Command),
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Command {
    Resolve {
        by: UserId,
    },
    Reopen {
        by: UserId,
    },
    Snooze {
        by: UserId,
        until: Timestamp,
    },
    /// The owner says it was handled outside Discord (button "Mark answered").
    MarkAnswered {
        by: UserId,
    },
    /// The customer was blocked: resolved quietly (no closing text, no rating request).
    Block {
        by: UserId,
    },
    /// A staff member takes it ("I'll take it", `/claim`): the first claim wins.
    Claim {
        by: UserId,
        /// Their display name, which the customer is told.
        name: String,
    },
    /// A staff member sets a follow-up for themselves (`/followup`, the "Remind me" button):
    /// a promise like one read in a reply, due at `due`, or `[promises] remind_after` of open
    /// time from now when `None`.
    FollowUp {
        by: UserId,
        /// Their display name, for the owners' lists.
        name: String,
        due: Option<Timestamp>,
        note: Option<String>,
    },
    /// A staff member leaves an internal note (`/note`, the web page's note box).
    Note(Note),
    /// A staff member replies from outside Discord (the web page, a saved reply).
    Reply(Reply),
    /// Nobody has it any more (`/unclaim`).
    Unclaim {
        by: UserId,
    },
    /// A staff member gives it to `to`, who need not be free of it (`/assign`); that `to` is
    /// on staff is the caller's to check, since only Discord knows their roles.
    Assign {
        by: UserId,
        to: UserId,
        name: String,
    },
}

/// What an event changed.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Step {
    /// The conversation to store; `None` when nothing changed.
    pub conversation: Option<Conversation>,
    pub effects: Vec<Effect>,
    /// The message belongs to the returned (or given) conversation and should be logged.
    pub log_message: bool,
}

/// Decides what an event means for a conversation.
pub fn step(conversation: Option<&Conversation>, input: Input<'_>, cx: &Context<'_>) -> Step {
    match input {
        Input::Customer(msg) => customer_wrote(conversation, msg, cx),
        Input::Staff(msg) => match conversation {
            Some(c) => {
                let mut out = staff_replied(c, msg.author.id, msg.at);
                if let Some(conv) = out.conversation.as_mut() {
                    promises::staff_posted(conv, msg, cx.policy, cx.promises);
                    conv.last_staff_message = conv.last_staff_message.max(Some(msg.id));
                }
                if let Some(effect) = relay_out(c, msg, cx.policy) {
                    out.effects.push(effect);
                }
                out
            }
            None => Step::default(),
        },
        Input::Blocked(msg) => blocked_wrote(conversation, msg),
        Input::Tick => conversation.map_or_else(Step::default, |c| tick(c, cx)),
        Input::Command(cmd) => conversation.map_or_else(Step::default, |c| command(c, cmd, cx)),
    }
}

fn customer_wrote(existing: Option<&Conversation>, msg: &Incoming, cx: &Context<'_>) -> Step {
    let mut out = customer_step(existing, msg, cx);
    if let Some(conv) = &out.conversation {
        if let Some(effect) = relay_in(conv, msg, cx.policy) {
            out.effects.push(effect);
        }
    }
    out
}

/// A customer's DM, mirrored into the staff thread: staff cannot write in a customer's DM
/// with the bot, so the thread is where they read and answer. Their name and words show as
/// typed there (markup escaped, [`literal`]); the staff's replies going the other way are the
/// staff's own words and keep their markup.
fn relay_in(conv: &Conversation, msg: &Incoming, policy: &Policy) -> Option<Effect> {
    if !policy.relay_dms || !matches!(msg.place, crate::model::Place::Dm { .. }) {
        return None;
    }
    let text = match msg.content.as_deref() {
        Some(t) if !t.trim().is_empty() => literal(t),
        _ => "(a message without text, e.g. an attachment: open the DM in Discord to see it)"
            .to_string(),
    };
    Some(Effect::RelayIn {
        conversation: conv.id,
        source: msg.id,
        text: format!("**{}**: {text}", literal(&msg.author.name)),
        thread_name: thread_name(&format!("DM · {}", msg.author.name), &conv.topic),
    })
}

/// A staff message in a DM conversation's staff thread goes to the customer, signed with the
/// staff member's name. Only into that conversation's own DM: the relay cannot reach anyone
/// else.
fn relay_out(conv: &Conversation, msg: &Incoming, policy: &Policy) -> Option<Effect> {
    let crate::model::Place::Dm { channel } = conv.place else {
        return None;
    };
    if !policy.relay_dms || conv.relay != Some(msg.place.channel()) {
        return None;
    }
    let text = msg.content.as_deref().filter(|t| !t.trim().is_empty())?;
    Some(Effect::RelayOut {
        conversation: conv.id,
        source: msg.id,
        channel,
        text: format!("{text}\n— {}, {}", msg.author.name, policy.business_name),
    })
}

fn customer_step(existing: Option<&Conversation>, msg: &Incoming, cx: &Context<'_>) -> Step {
    let content = msg.content.as_deref();
    let Some(conv) = existing else {
        return open(msg, cx);
    };
    let mut conv = conv.clone();
    conv.customer_messages += 1;
    conv.last_activity = conv.last_activity.max(msg.at);
    conv.customer_name.clone_from(&msg.author.name);
    let mut effects = Vec::new();
    let written_before_the_answer = conv.last_staff_message.is_some_and(|s| msg.id < s);
    match conv.state {
        State::Waiting => {}
        State::Answered if is_courtesy(content) || written_before_the_answer => {}
        State::Answered => {
            start_waiting(&mut conv, msg.at, &cx.policy.reminders);
            effects.push(Effect::Notify(notice(&conv, NoticeKind::FollowUp)));
        }
        State::Resolved if is_courtesy(content) => {}
        State::Resolved => {
            let recent = conv
                .resolved_at
                .is_some_and(|at| msg.at.duration_since(at) <= REOPEN_WINDOW);
            if !recent {
                return open(msg, cx);
            }
            conv.state = State::Waiting;
            conv.resolved_at = None;
            conv.times_reopened += 1;
            start_waiting(&mut conv, msg.at, &cx.policy.reminders);
            let (ack, _) = acknowledgement(&conv, msg, cx);
            conv.rule.clone_from(&ack.rule);
            effects.push(Effect::Acknowledge(ack));
            effects.push(Effect::Notify(notice(&conv, NoticeKind::Reopened)));
        }
    }
    Step {
        conversation: Some(conv),
        effects,
        log_message: true,
    }
}

/// A blocked customer's message: stored in their latest conversation (or a new one), which
/// stays resolved and marked; no acknowledgement, notice, relay or reminder.
fn blocked_wrote(existing: Option<&Conversation>, msg: &Incoming) -> Step {
    let mut conv = match existing {
        Some(c) => {
            let mut c = c.clone();
            c.customer_messages += 1;
            c.last_activity = c.last_activity.max(msg.at);
            c
        }
        None => {
            let mut c = Conversation::new(
                msg.id,
                msg.author.id,
                msg.author.name.clone(),
                msg.place,
                msg.at,
            );
            c.opening = Some(Opening {
                author_name: msg.author.name.clone(),
                content: msg.content.clone(),
            });
            c.topic = "blocked".to_string();
            c
        }
    };
    if conv.state != State::Resolved {
        conv.state = State::Resolved;
        conv.resolved_at = Some(msg.at);
    }
    conv.waiting_since = None;
    conv.next_reminder_at = None;
    conv.snoozed_until = None;
    conv.promise = None;
    conv.blocked = true;
    Step {
        conversation: Some(conv),
        effects: Vec::new(),
        log_message: true,
    }
}

fn open(msg: &Incoming, cx: &Context<'_>) -> Step {
    let mut conv = Conversation::new(
        msg.id,
        msg.author.id,
        msg.author.name.clone(),
        msg.place,
        msg.at,
    );
    conv.opening = Some(Opening {
        author_name: msg.author.name.clone(),
        content: msg.content.clone(),
    });
    start_waiting(&mut conv, msg.at, &cx.policy.reminders);
    let (ack, topic) = acknowledgement(&conv, msg, cx);
    conv.topic = topic;
    conv.rule.clone_from(&ack.rule);
    Step {
        effects: vec![
            Effect::Acknowledge(ack),
            Effect::Notify(notice(&conv, NoticeKind::Opened)),
        ],
        conversation: Some(conv),
        log_message: true,
    }
}

/// Renders the acknowledgement for `msg`; also returns the message's topic.
fn acknowledgement(conv: &Conversation, msg: &Incoming, cx: &Context<'_>) -> (Ack, String) {
    let policy = cx.policy;
    let moment = Moment {
        open: policy.hours.is_open(cx.now),
        away: cx.away.is_some_and(|a| a.until.is_none_or(|u| u > cx.now)),
        late: cx.late,
        returning: cx.earlier_conversations > 0,
    };
    let text = msg.content.as_deref().unwrap_or("");
    let selection = cx.rules.select(text, &msg.place, &msg.tags, moment);
    let mention = format!("<@{}>", msg.author.id);
    let opens = policy.hours.describe_next_open(cx.now);
    let back = match cx.away.and_then(|a| a.until) {
        Some(until) => policy.hours.describe_moment(cx.now, until),
        None => "soon".to_string(),
    };
    let name = literal(&msg.author.name);
    let values = Values {
        customer_mention: &mention,
        customer_name: &name,
        owner: &policy.owner_name,
        business: &policy.business_name,
        topic: selection.topic,
        eta: cx.eta,
        opens: &opens,
        back: &back,
        away_note: cx.away.map_or("", |a| a.note.as_str()),
        staff: "",
    };
    let template = selection.rule.variant(
        msg.author.id.0,
        cx.earlier_conversations + u64::from(conv.times_reopened),
    );
    let open_thread = (policy.threads
        && matches!(msg.place, crate::model::Place::Channel { thread: None, .. }))
    .then(|| thread_name(&msg.author.name, selection.topic));
    let ack = Ack {
        conversation: conv.id,
        channel: msg.place.channel(),
        reply_to: msg.id,
        customer: msg.author.id,
        text: template.render(&values).trim_end().to_string(),
        rule: selection.rule.id.clone(),
        open_thread,
    };
    (ack, selection.topic.to_string())
}

/// Discord limits thread names to 100 characters.
pub(super) fn thread_name(customer: &str, topic: &str) -> String {
    let name: String = format!("{customer} · {topic}").chars().take(100).collect();
    name
}

fn notice(conv: &Conversation, kind: NoticeKind) -> Notice {
    Notice {
        conversation: conv.id,
        kind,
        wait: conv.waits,
    }
}

fn start_waiting(conv: &mut Conversation, since: Timestamp, schedule: &ReminderSchedule) {
    conv.state = State::Waiting;
    conv.waits += 1;
    conv.waiting_since = Some(since);
    conv.reminders_sent = 0;
    conv.next_reminder_at = schedule.offset(0).and_then(|d| since.checked_add(d).ok());
}

fn staff_replied(conv: &Conversation, by: UserId, at: Timestamp) -> Step {
    let mut conv = conv.clone();
    conv.last_activity = conv.last_activity.max(at);
    if conv.state == State::Waiting {
        conv.state = State::Answered;
        conv.first_reply_at = conv.first_reply_at.or(Some(at));
        conv.answered_by = Some(by);
        conv.waiting_since = None;
        conv.next_reminder_at = None;
        conv.snoozed_until = None;
    }
    Step {
        conversation: Some(conv),
        effects: Vec::new(),
        log_message: true,
    }
}

fn tick(conv: &Conversation, cx: &Context<'_>) -> Step {
    let mut next = conv.clone();
    let mut effects = Vec::new();
    let changed = match conv.state {
        State::Waiting => remind(conv, &mut next, &mut effects, cx),
        // A promise keeps the conversation open: it is not closed for inactivity meanwhile.
        State::Answered if conv.promise.is_none() => {
            auto_resolve(conv, &mut next, &mut effects, cx)
        }
        State::Answered | State::Resolved => false,
    };
    let reminded = promises::remind(&mut next, &mut effects, cx.policy, cx.now);
    if !(changed || reminded) {
        return Step::default();
    }
    Step {
        conversation: Some(next),
        effects,
        log_message: false,
    }
}

/// The waiting customer's owner reminded, when a reminder is due; whether anything changed.
fn remind(
    conv: &Conversation,
    next: &mut Conversation,
    effects: &mut Vec<Effect>,
    cx: &Context<'_>,
) -> bool {
    let now = cx.now;
    let Some(due) = conv.next_reminder_at else {
        return false;
    };
    if due > now {
        return false;
    }
    if let Some(until) = conv.snoozed_until.filter(|u| *u > now) {
        next.next_reminder_at = Some(until);
    } else if let Some(end) = quiet_end(cx.policy.quiet_hours, cx.policy.hours.time_zone(), cx.now)
    {
        // The owner is asleep: the reminder goes out when quiet hours end.
        next.next_reminder_at = Some(end);
    } else {
        next.snoozed_until = None;
        effects.push(Effect::Notify(Notice {
            kind: NoticeKind::Reminder(conv.reminders_sent),
            ..notice(conv, NoticeKind::Opened)
        }));
        next.reminded_at.push(now);
        let over = next.reminded_at.len().saturating_sub(REMINDER_LOG);
        next.reminded_at.drain(..over);
        let since = conv.waiting_since.unwrap_or(conv.opened_at);
        let (sent, at) = cx
            .policy
            .reminders
            .next_step(since, conv.reminders_sent + 1, now);
        next.reminders_sent = sent;
        next.next_reminder_at = at;
    }
    true
}

/// An answered conversation closed once it has been quiet for `auto_resolve_after`.
fn auto_resolve(
    conv: &Conversation,
    next: &mut Conversation,
    effects: &mut Vec<Effect>,
    cx: &Context<'_>,
) -> bool {
    let now = cx.now;
    let Some(after) = cx.policy.auto_resolve_after else {
        return false;
    };
    if !conv
        .last_activity
        .checked_add(after)
        .is_ok_and(|t| t <= now)
    {
        return false;
    }
    next.state = State::Resolved;
    next.resolved_at = Some(now);
    effects.push(Effect::Close {
        conversation: conv.id,
        channel: conv.channel(),
        text: cx.policy.closing_text.clone(),
    });
    effects.extend(ask_on_resolve(next, cx.policy, now));
    true
}

fn command(conv: &Conversation, cmd: Command, cx: &Context<'_>) -> Step {
    let now = cx.now;
    let mut next = conv.clone();
    let mut effects = Vec::new();
    match cmd {
        Command::Resolve { .. } => {
            next.state = State::Resolved;
            next.resolved_at = Some(now);
            next.waiting_since = None;
            next.next_reminder_at = None;
            next.snoozed_until = None;
            promises::resolved(&mut next, now);
            effects.extend(ask_on_resolve(&mut next, cx.policy, now));
        }
        Command::Block { .. } => {
            if conv.state != State::Resolved {
                next.resolved_at = Some(now);
            }
            next.state = State::Resolved;
            next.waiting_since = None;
            next.next_reminder_at = None;
            next.snoozed_until = None;
            next.promise = None;
            next.blocked = true;
        }
        Command::Reopen { .. } if conv.state == State::Resolved => {
            next.resolved_at = None;
            next.times_reopened += 1;
            start_waiting(&mut next, now, &cx.policy.reminders);
            effects.push(Effect::Notify(notice(&next, NoticeKind::Reopened)));
        }
        Command::Reopen { .. } => return Step::default(),
        Command::Snooze { until, .. } => {
            if conv.state != State::Waiting {
                return Step::default();
            }
            next.snoozed_until = Some(until);
            next.next_reminder_at = Some(next.next_reminder_at.map_or(until, |t| t.max(until)));
        }
        Command::MarkAnswered { by } => return staff_replied(conv, by, now),
        Command::Claim { by, name } => match hand(conv, by, &name, true, cx) {
            Some((taken, shown)) => {
                next = taken;
                effects.extend(shown);
            }
            None => return Step::default(),
        },
        Command::Assign { to, name, .. } => match hand(conv, to, &name, false, cx) {
            Some((taken, shown)) => {
                next = taken;
                effects.extend(shown);
            }
            None => return Step::default(),
        },
        Command::Unclaim { .. } => match claims::release(conv) {
            Some((released, shown)) => {
                next = released;
                effects.extend(shown);
            }
            None => return Step::default(),
        },
        Command::Note(note) => return notes::add(conv, &note, cx.policy),
        Command::Reply(reply) => return replies::send(conv, &reply, cx),
        Command::FollowUp {
            by,
            name,
            due,
            note,
        } => promises::follow_up(&mut next, by, name, due, note, cx.policy, now),
    }
    Step {
        conversation: Some(next),
        effects,
        log_message: false,
    }
}

/// `to` takes the conversation (see `claims`), reading what `step` reads.
fn hand(
    conv: &Conversation,
    to: UserId,
    name: &str,
    only_if_free: bool,
    cx: &Context<'_>,
) -> Option<(Conversation, Vec<Effect>)> {
    let setting = claims::Setting {
        now: cx.now,
        policy: cx.policy,
        rules: cx.rules,
        eta: cx.eta,
    };
    claims::take(conv, to, name, only_if_free, &setting)
}

/// When a conversation next needs a [`Input::Tick`]: its next reminder while waiting, its
/// auto-resolve time once answered (unless a promise keeps it open), its promise's next
/// reminder, never once resolved.
pub fn wake_at(conv: &Conversation, policy: &Policy) -> Option<Timestamp> {
    let own = match conv.state {
        State::Waiting => conv.next_reminder_at,
        State::Answered if conv.promise.is_none() => policy
            .auto_resolve_after
            .and_then(|d| conv.last_activity.checked_add(d).ok()),
        State::Answered | State::Resolved => None,
    };
    let promised = conv.promise.as_ref().and_then(|p| p.next_reminder_at);
    match (own, promised) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
